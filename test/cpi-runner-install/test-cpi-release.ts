/**
 * A small CPI release whose packaging really compiles C: `greeting-data` installs a text file;
 * `cpi-bin` (depending on it) compiles a program with that text baked in, so it only builds when
 * its dependency is already installed under BOSH_PACKAGES_DIR. The job's bin/cpi is ERB.
 */
import type { FixtureJob, FixturePackage } from "../director-release/release-fixtures.js";

const CPI_C = `#include <stdio.h>
int main(int argc, char **argv) {
  int c; while ((c = getchar()) != EOF) {}
  printf("{\\"result\\":{\\"api_version\\":2,\\"stemcell_formats\\":[\\"test\\"],\\"greeting\\":\\"%s\\",\\"region\\":\\"%s\\"},\\"error\\":null,\\"log\\":\\"\\"}\\n", GREETING, argc > 1 ? argv[1] : "");
  return 0;
}
`;

export function testCpiPackages(greeting = "hello"): FixturePackage[] {
  return [
    {
      name: "greeting-data",
      files: { packaging: 'set -e\ncp greeting.txt "${BOSH_INSTALL_TARGET}/"\n', "greeting.txt": `${greeting}\n` },
    },
    {
      name: "cpi-bin",
      dependencies: ["greeting-data"],
      files: {
        packaging: [
          "set -e",
          'greeting="$(cat "${BOSH_PACKAGES_DIR}/greeting-data/greeting.txt")"',
          'mkdir -p "${BOSH_INSTALL_TARGET}/bin"',
          'gcc -DGREETING="\\"${greeting}\\"" -o "${BOSH_INSTALL_TARGET}/bin/cpi-impl" src/cpi.c',
          "",
        ].join("\n"),
        "src/cpi.c": CPI_C,
      },
    },
  ];
}

export const TEST_CPI_JOB: FixtureJob = {
  name: "test_cpi",
  spec: [
    "---",
    "name: test_cpi",
    "templates:",
    "  cpi.erb: bin/cpi",
    "  cpi.json.erb: config/cpi.json",
    "packages: [cpi-bin]",
    "properties:",
    "  test.region: {default: nowhere}",
    "  test.token: {description: secret}",
    "",
  ].join("\n"),
  templates: {
    "cpi.erb": '#!/bin/bash\nexec "$BOSH_PACKAGES_DIR/cpi-bin/bin/cpi-impl" "<%= p(\'test.region\') %>"\n',
    "cpi.json.erb": "<%= JSON.dump({'token' => p('test.token')}) %>\n",
  },
};

/** A second job that also yields bin/cpi: naming both must be refused. */
export const OTHER_CPI_JOB: FixtureJob = {
  name: "other_cpi",
  spec: "---\nname: other_cpi\ntemplates:\n  cpi.erb: bin/cpi\npackages: []\n",
  templates: { "cpi.erb": "#!/bin/bash\necho other\n" },
};
