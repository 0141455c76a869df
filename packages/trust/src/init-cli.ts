#!/usr/bin/env node
// Creates or rotates the trust material (one key pair per service identity) in a directory:
//   node packages/trust/dist/init-cli.js init [--dir .ytm/trust]       keys that are missing (idempotent)
//   node packages/trust/dist/init-cli.js rotate <service> [--dir ...]   a new key; the old one stays trusted
//   node packages/trust/dist/init-cli.js retire <service> [--dir ...]   stop trusting its previous keys
// A compose deployment runs `init` once into a shared volume and points TRUST_DIR at it.
import { resolve } from 'node:path';
import { isServiceIdentity, SERVICE_IDENTITIES } from './service-access.js';
import { ensureTrustMaterial, retirePreviousKeys, rotateKey } from './trust-material.js';

const args = process.argv.slice(2);
const dirAt = args.indexOf('--dir');
const dir = resolve(dirAt >= 0 ? (args[dirAt + 1] ?? '') : (process.env.TRUST_DIR ?? '.ytm/trust'));
const [command, service] = args.filter((_, i) => i !== dirAt && i !== dirAt + 1);

function target(): (typeof SERVICE_IDENTITIES)[number] {
  if (service && isServiceIdentity(service)) return service;
  console.error(`name one service: ${SERVICE_IDENTITIES.join(' | ')}`);
  process.exit(2);
}

switch (command ?? 'init') {
  case 'init': {
    const created = ensureTrustMaterial(dir);
    console.log(created.length ? `trust material in ${dir}: new keys for ${created.join(', ')}` : `trust material in ${dir}: complete`);
    break;
  }
  case 'rotate': {
    const name = target();
    console.log(`${name}: new key ${rotateKey(dir, name)} in ${dir}; the previous one stays trusted until \`retire ${name}\``);
    break;
  }
  case 'retire': {
    const name = target();
    console.log(`${name}: ${retirePreviousKeys(dir, name)} previous key(s) no longer trusted`);
    break;
  }
  default:
    console.error('usage: init | rotate <service> | retire <service>  [--dir <trust dir>]');
    process.exit(2);
}
