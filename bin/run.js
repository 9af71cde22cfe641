#!/usr/bin/env node
'use strict';
// dist/smsdiag.js is built by `npm install` (prepare) and `npm test`; see scripts/build.mjs.
// code-cache.js loads it with the compiled code of the last run when it can.
const path = require('node:path');
const root = path.resolve(__dirname, '..');
require('./code-cache.js').load(path.join(root, 'dist/smsdiag.js')).main(process.argv.slice(2), root);
