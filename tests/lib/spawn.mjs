// spawn.mjs - running a program without blocking the event loop, shared by
// the API and cluster test helpers.
import { spawn } from 'node:child_process';

/**
 * Runs bin with args (options as for child_process.spawn; stdin is closed)
 * and resolves {code, stdout, stderr} when it ends. The child is kept in
 * `children` (a Set) while it runs, so an exit handler can kill it.
 */
export function spawnCollect(bin, args, options, children) {
	return new Promise((res, rej) => {
		const c = spawn(bin, args, { ...options, stdio: ['ignore', 'pipe', 'pipe'] });
		children.add(c);
		let stdout = '';
		let stderr = '';
		c.stdout.setEncoding('utf8');
		c.stderr.setEncoding('utf8');
		c.stdout.on('data', (d) => (stdout += d));
		c.stderr.on('data', (d) => (stderr += d));
		c.on('error', rej);
		c.on('close', (code) => {
			children.delete(c);
			res({ code, stdout, stderr });
		});
	});
}

/** Resolves true once child has exited, false if it is still running after ms. */
export function waitExit(child, ms) {
	return new Promise((res) => {
		if (child.exitCode !== null || child.signalCode !== null) return res(true);
		const t = setTimeout(() => res(false), ms);
		child.once('exit', () => {
			clearTimeout(t);
			res(true);
		});
	});
}

/**
 * The environment of a child: ours without any ZT_* setting (so a developer's
 * shell cannot change a test's outcome), plus extra (null/undefined skipped).
 */
export function childEnv(extra) {
	const env = {};
	for (const [k, v] of Object.entries(process.env)) if (!k.startsWith('ZT_')) env[k] = v;
	for (const [k, v] of Object.entries(extra)) if (v !== undefined && v !== null) env[k] = String(v);
	return env;
}

/**
 * Starts a node server (`bin args`, e.g. `zhengtong serve`, or the same
 * through nsenter) and resolves {child, url} once its banner names the
 * address. log is an object whose `text` collects the server's stderr
 * across starts (only this start's banner counts). Rejects, with the log,
 * when the server exits first or has not started within ms.
 */
export function serveUntilBanner(bin, args, options, log, ms = 10000) {
	return new Promise((res, rej) => {
		const from = log.text.length;
		const child = spawn(bin, args, { ...options, stdio: ['ignore', 'ignore', 'pipe'] });
		const t = setTimeout(() => rej(new Error(`server did not start:\n${log.text}`)), ms);
		child.stderr.setEncoding('utf8');
		child.stderr.on('data', (s) => {
			log.text += s;
			const m = /zhengtong serving http:\/\/127\.0\.0\.1:(\d+)/.exec(log.text.slice(from));
			if (m) {
				clearTimeout(t);
				res({ child, url: `http://127.0.0.1:${m[1]}` });
			}
		});
		child.once('exit', (code, sig) => {
			clearTimeout(t);
			rej(new Error(`server exited (${code ?? sig}):\n${log.text}`));
		});
	});
}
