// ffmpeg for ytm-stream's transcoding (and ffprobe for the tests): the machine's when it has one,
// otherwise a static build from the npm registry (@ffmpeg-installer/<platform>, which ships the
// binary inside the package; ffprobe likewise from @ffprobe-installer/<platform>), unpacked once
// into the cache and reused.
import { execFileSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { withLock } from './lock.mjs';
import { cacheDir } from './paths.mjs';

/** Pinned packages per platform. Only these are known to carry libopus, libmp3lame and aac. */
const PACKAGES = {
  'linux-x64': { ffmpeg: ['@ffmpeg-installer/linux-x64', '4.1.0'], ffprobe: ['@ffprobe-installer/linux-x64', '5.2.0'] },
  'linux-arm64': { ffmpeg: ['@ffmpeg-installer/linux-arm64', '4.1.4'], ffprobe: ['@ffprobe-installer/linux-arm64', '5.2.0'] },
};

const platform = () => `${process.platform}-${process.arch}`;
export const ffmpegBinDir = () => join(cacheDir(), 'ffmpeg', platform(), 'bin');
const stamp = (tool) => join(ffmpegBinDir(), `.${tool}-installed`);

/** True when `cmd -version` runs. */
function runs(cmd) {
  try {
    execFileSync(cmd, ['-hide_banner', '-version'], { stdio: 'ignore', timeout: 10_000 });
    return true;
  } catch {
    return false;
  }
}

function installed(tool) {
  const want = PACKAGES[platform()]?.[tool];
  return want !== undefined && existsSync(join(ffmpegBinDir(), tool)) && existsSync(stamp(tool)) && readFileSync(stamp(tool), 'utf8').trim() === want.join('@');
}

/**
 * Where each tool comes from: FFMPEG_PATH (ffmpeg only), the PATH, or the cache. Null for a tool
 * that is nowhere yet.
 */
export function findFfmpeg(env = process.env) {
  const found = {};
  for (const tool of ['ffmpeg', 'ffprobe']) {
    if (tool === 'ffmpeg' && env.FFMPEG_PATH) found[tool] = { path: env.FFMPEG_PATH, from: 'FFMPEG_PATH' };
    else if (runs(tool)) found[tool] = { path: tool, from: 'PATH' };
    else if (installed(tool)) found[tool] = { path: join(ffmpegBinDir(), tool), from: 'cache' };
    else found[tool] = null;
  }
  return found;
}

/**
 * Makes `tools` available and returns the environment to run with: FFMPEG_PATH set when ffmpeg
 * comes from the cache, and the cache's bin folder on PATH when any tool does. Installs from
 * the npm registry (`npm pack`, the ordinary client, its cache) what is missing.
 */
export async function ensureFfmpeg({ tools = ['ffmpeg'], log = () => {} } = {}) {
  let found = findFfmpeg();
  const missing = tools.filter((t) => !found[t]);
  if (missing.length > 0) {
    const pkgs = PACKAGES[platform()];
    if (!pkgs)
      throw new Error(`no ffmpeg on PATH, and none is provisioned for ${platform()}: install ffmpeg (with libopus, libmp3lame and aac) or set FFMPEG_PATH`);
    await withLock(join(cacheDir(), 'install.lock'), { what: 'ffmpeg install', log }, async () => {
      for (const tool of missing) if (!installed(tool)) installTool(tool, pkgs[tool], log);
    });
    found = findFfmpeg();
  }
  const env = {};
  if (found.ffmpeg?.from === 'cache') env.FFMPEG_PATH = found.ffmpeg.path;
  if (tools.some((t) => found[t]?.from === 'cache')) env.PATH = `${ffmpegBinDir()}${delimiter}${process.env.PATH ?? ''}`;
  for (const t of tools) if (found[t]) log(`${t}: ${found[t].path} (${found[t].from})`);
  return env;
}

function installTool(tool, [name, version], log) {
  const started = Date.now();
  log(`${tool} not found: unpacking ${name}@${version} from the npm registry into ${ffmpegBinDir()}...`);
  const work = mkdtempSync(join(cacheDir(), `${tool}-`));
  try {
    mkdirSync(ffmpegBinDir(), { recursive: true });
    const tarball = execFileSync('npm', ['pack', `${name}@${version}`, '--silent', '--pack-destination', work], { cwd: work, encoding: 'utf8' })
      .trim()
      .split('\n')
      .pop();
    execFileSync('tar', ['-xzf', join(work, tarball), '-C', work]);
    const bin = join(work, 'package', tool);
    if (!existsSync(bin)) throw new Error(`${name}@${version} has no ${tool} binary inside`);
    chmodSync(bin, 0o755);
    if (!runs(bin)) throw new Error(`${name}@${version}: ${tool} does not run on this machine`);
    renameSync(bin, join(ffmpegBinDir(), tool));
    writeFileSync(stamp(tool), `${name}@${version}\n`);
    log(`${tool} ready (${((Date.now() - started) / 1000).toFixed(1)}s)`);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}
