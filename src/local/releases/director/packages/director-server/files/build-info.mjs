// Prints the package's build record: name, version, and a sample uuid proving mkuuid ran.
const [name, version, sampleUuid] = process.argv.slice(2);
if (!/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/.test(sampleUuid ?? "")) {
  console.error(`mkuuid printed '${sampleUuid}', not a version 4 UUID`);
  process.exit(1);
}
console.log(JSON.stringify({ name, version, mkuuid_works: true }));
