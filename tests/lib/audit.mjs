// audit.mjs - waiting for a running node to sign its audit head.
//
// A node seals quick write transactions with its HMAC-SM3 first and signs the
// newest head with SM2 within a second (src/domain/audit.c); tests that
// compare `zhengtong audit verify` output exactly wait for that signature.

/* One row, one column: 1 when the head carries an SM2 signature, else 0. */
export const HEAD_SIGNED_SQL =
	"SELECT CASE WHEN (SELECT seq FROM audit_head WHERE id = 1) =" +
	" coalesce((SELECT max(seq) FROM audit_signatures WHERE alg = 'sm2'), 0) THEN 1 ELSE 0 END AS ok";

/* count(sql) runs a one-value query on the node's database (either backend). */
export async function waitSigned(count, timeoutMs = 5000) {
	for (const t0 = Date.now(); Date.now() - t0 < timeoutMs; ) {
		if (Number(count(HEAD_SIGNED_SQL)) === 1) return;
		await new Promise((r) => setTimeout(r, 50));
	}
	throw new Error('the audit head was not signed in time');
}
