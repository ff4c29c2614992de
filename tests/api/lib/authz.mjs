/*
 * authz.mjs - what a route's declared policy (`who`, `scope`, from
 * `zhengtong routes`) expects for a caller, and whether an answer agrees.
 * Shared by authz-matrix.test.mjs (every route on one node) and
 * fed-share.test.mjs (the routes whose objects only another node creates).
 *
 * A principal p: {name, kind: 'anonymous' | 'citizen' | 'enterprise' | an
 * official role | 'system', kinds: every role held when more than one (an
 * official may be clerk and reviewer), dept: the department tag of an
 * official or a system (compared with the object's), isOwner: the applicant
 * or account the object belongs to}.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';

import { BIN } from './node.mjs';

export const SCOPES = ['any', 'self', 'owner', 'dept', 'dept_sysadmin', 'signed'];

/** The route table with each route's policy, from the binary itself. */
export function routesFromBinary() {
	const r = spawnSync(BIN, ['routes'], { encoding: 'utf8' });
	assert.equal(r.status, 0, r.stderr);
	return JSON.parse(r.stdout);
}

/** Whether the route's `who` admits p (any of its roles). */
export function mayCall(route, p) {
	return (p.kinds ?? [p.kind]).some((k) => route.who.includes(k));
}

/**
 * 'allow', 'deny-who' (the guard: 401 anonymous, 403 otherwise) or 'deny'
 * (the scope) for principal p on route, whose object belongs to department
 * `dept` (and to p when p.isOwner).
 */
export function expectedOf(route, p, dept) {
	if (!mayCall(route, p)) return 'deny-who';
	switch (route.scope) {
		case 'any':
			return 'allow';
		case 'self':
			return !route.path.includes('{') || p.isOwner ? 'allow' : 'deny';
		case 'owner':
			return p.isOwner || (p.dept === dept && p.kind !== 'system') ? 'allow' : 'deny';
		case 'dept':
			return p.dept === dept ? 'allow' : 'deny';
		case 'dept_sysadmin':
			return p.dept === dept || p.kind === 'sysadmin' ? 'allow' : 'deny';
		case 'signed':
			return 'deny';
	}
	throw new Error(`route ${route.name}: unknown scope ${route.scope}`);
}

/**
 * Whether answer r (status, json) agrees with want for p. Refused: exactly
 * 401 / 403 by the guard; by the scope 401 / 403, or 404 on a route about an
 * existing object (its existence hidden). Allowed: anything below 500 that is
 * not a refusal (400 and 409 mean the request got past authorization). A
 * signed route refuses a forged envelope 401 bad_signature. A 5xx is wrong.
 */
export function agrees(route, p, want, r, hasObject) {
	if (r.status >= 500) return false;
	if (want === 'deny-who') return r.status === (p.kind === 'anonymous' ? 401 : 403);
	if (route.scope === 'signed') return r.status === 401 && r.json?.errors?.[0]?.reason === 'bad_signature';
	if (want === 'deny') return r.status === 401 || r.status === 403 || (r.status === 404 && hasObject);
	return r.status !== 401 && r.status !== 403 && !(r.status === 404 && hasObject);
}

/** Refused callers first, so that an allowed state change hides no refusal. */
export function refusedFirst(route, principals, dept) {
	const allowed = (p) => expectedOf(route, p, dept) === 'allow';
	return [...principals].sort((a, b) => allowed(a) - allowed(b));
}
