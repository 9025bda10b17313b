const { clamp } = require("./lib");
process.exitCode = clamp(5, 0, 10) === 5 ? 0 : 1;
