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
