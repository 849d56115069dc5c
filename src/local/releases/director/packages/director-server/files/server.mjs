// The example director: HTTPS on the configured address, GET /info answers
// {name, uuid, version, user_authentication}. The uuid is made once and kept in the store
// (the persistent disk), so it survives VM replacement.
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { createServer } from "node:https";
import { dirname } from "node:path";

const config = JSON.parse(readFileSync(process.argv[2], "utf8"));

function directorUuid() {
  if (!existsSync(config.uuid_path)) {
    mkdirSync(dirname(config.uuid_path), { recursive: true });
    const fresh = execFileSync(config.mkuuid, { encoding: "utf8" }).trim();
    writeFileSync(`${config.uuid_path}.tmp`, `${fresh}\n`);
    renameSync(`${config.uuid_path}.tmp`, config.uuid_path);
  }
  return readFileSync(config.uuid_path, "utf8").trim();
}

const info = {
  name: config.name,
  uuid: directorUuid(),
  version: config.version,
  user_authentication: { type: "basic", options: {} },
};

const server = createServer(
  { cert: readFileSync(config.cert_path), key: readFileSync(config.key_path) },
  (request, response) => {
    if (request.method === "GET" && request.url === "/info") {
      response.writeHead(200, { "content-type": "application/json" });
      response.end(JSON.stringify(info));
      return;
    }
    response.writeHead(404, { "content-type": "application/json" });
    response.end(JSON.stringify({ code: 404, description: "not found" }));
  },
);
server.listen(config.port, config.address, () => {
  console.log(`director '${config.name}' (${info.uuid}) listening on https://${config.address}:${config.port}`);
});
for (const signal of ["SIGTERM", "SIGINT"]) process.on(signal, () => server.close(() => process.exit(0)));
