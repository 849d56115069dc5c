/**
 * The timestamps go-yaml v2 recognises in a plain scalar (it tries four Go time layouts:
 * date only; date and time with `T`/`t` and a zone; date and time with a space and no zone).
 * A string that reads as one is quoted on output so it stays a string.
 */
const DATE_TIME = /^(\d{4})-(\d{1,2})-(\d{1,2})(?:([Tt ])(\d{1,2}):(\d{1,2}):(\d{1,2})(?:[.,]\d+)?(Z|[+-]\d\d:\d\d)?)?$/;

export function isYaml11Timestamp(text: string): boolean {
  const m = DATE_TIME.exec(text);
  if (m === null) return false;
  const [, year, month, day, separator, hour, minute, second, zone] = m;
  if (!validDate(Number(year), Number(month), Number(day))) return false;
  if (separator === undefined) return true;
  // With a space the layout has no zone; with T or t the zone is required.
  if ((separator === " ") !== (zone === undefined)) return false;
  if (Number(hour) > 23 || Number(minute) > 59 || Number(second) > 59) return false;
  return zone === undefined || zone === "Z" || (Number(zone.slice(1, 3)) <= 24 && Number(zone.slice(4, 6)) <= 60);
}

function validDate(year: number, month: number, day: number): boolean {
  if (month < 1 || month > 12 || day < 1) return false;
  const leap = year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
  const days = [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1] as number;
  return day <= days;
}
