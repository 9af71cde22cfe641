#!/usr/bin/env node
'use strict';
// dist/smsdiag.js is built by `npm install` (prepare) and `npm test`; see scripts/build.mjs.
require('../dist/smsdiag.js').main(process.argv.slice(2), require('node:path').resolve(__dirname, '..'));
