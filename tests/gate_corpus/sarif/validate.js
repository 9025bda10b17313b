// Validates a SARIF file against the official SARIF 2.1.0 schema.
// Usage: NODE_PATH=/usr/share/nodejs node validate.js FILE.sarif
// Exit 0 when valid; 1 with the errors on stderr otherwise.
"use strict";
const fs = require("fs");
const path = require("path");
const Ajv = require("ajv");

const schema = JSON.parse(fs.readFileSync(path.join(__dirname, "sarif-2.1.0-rtm.5.json"), "utf8"));
const ajv = new Ajv({ schemaId: "auto", allErrors: true, format: "full" });
ajv.addMetaSchema(require("ajv/lib/refs/json-schema-draft-04.json"));
const validate = ajv.compile(schema);
const doc = JSON.parse(fs.readFileSync(process.argv[2], "utf8"));
if (validate(doc)) {
  process.exit(0);
}
process.stderr.write(ajv.errorsText(validate.errors, { separator: "\n" }) + "\n");
process.exit(1);
