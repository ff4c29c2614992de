/* test_case.c - unit tests for the case state machine and timer of
 * domain/case (the pure functions; no database).
 *
 * Test plan:
 * - case_next_state for EVERY (state x action) pair: the 7 states of
 *   DESIGN.md plus an unknown state ("bogus"), an empty state and a state
 *   differing only in case ("Submitted"), against all 7 actions. The
 *   expected table is written out independently here: exactly the 7 legal
 *   transitions (submitted -> accepted / not_accepted / needs_supplement,
 *   needs_supplement -> submitted by resubmit, accepted -> approved /
 *   denied, approved -> delivered) give their target state; every other
 *   pair gives NULL. ACT__COUNT and a value beyond it give NULL from every
 *   state. Counting the non-NULL pairs gives exactly 7, and the terminal
 *   states (not_accepted, denied, delivered) allow nothing.
 * - case_action_roles per action: accept / not_accept / supplement = clerk
 *   only, resubmit = 0 (the applicant), approve / deny = reviewer only,
 *   deliver = clerk | reviewer; no action grants dept_admin, data_officer,
 *   supervisor or sysadmin; out-of-range actions give 0.
 * - Names: case_action_name gives the exact names ("accept", "not_accept",
 *   "supplement", "resubmit", "approve", "deny", "deliver"), all distinct;
 *   case_action_from_name(case_action_name(a)) == a for every action; unknown
 *   names (wrong case, URL spelling "not-accept", prefix, suffix, "", a
 *   state name) give -1; out-of-range actions have the name "".
 * - case_timer with due_at = 1000, warn_at = 800 (and the real-size times
 *   of a case): 799 normal, 800 warning (now == warn_at), 1000 still warning
 *   (now == due_at is not overdue), 1001 overdue; paused wins over every
 *   running timer value; phase "closed" wins over paused and overdue; the
 *   running phases "acceptance" and "decision" behave the same; warn_at ==
 *   due_at gives no normal->warning gap problems; large 2026 timestamps. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "domain/case.h"
#include "domain/principal.h"

static const char *const states[] = {"submitted", "accepted", "not_accepted", "needs_supplement",
				     "approved",  "denied",   "delivered"};
#define NSTATES ((int)(sizeof(states) / sizeof(states[0])))

/* The legal transitions, written out from DESIGN.md (not from case.c). */
static const struct {
	const char *from;
	enum case_action a;
	const char *to;
} legal[] = {
    {"submitted", ACT_ACCEPT, "accepted"},
    {"submitted", ACT_NOT_ACCEPT, "not_accepted"},
    {"submitted", ACT_SUPPLEMENT, "needs_supplement"},
    {"needs_supplement", ACT_RESUBMIT, "submitted"},
    {"accepted", ACT_APPROVE, "approved"},
    {"accepted", ACT_DENY, "denied"},
    {"approved", ACT_DELIVER, "delivered"},
};
#define NLEGAL ((int)(sizeof(legal) / sizeof(legal[0])))

static const char *
expected_next(const char *state, enum case_action a)
{
	for (int i = 0; i < NLEGAL; i++)
		if (strcmp(legal[i].from, state) == 0 && legal[i].a == a)
			return legal[i].to;
	return NULL;
}

static void
test_every_state_action_pair(void **state)
{
	int nlegal = 0;

	(void)state;
	for (int s = 0; s < NSTATES; s++) {
		for (int a = 0; a < ACT__COUNT; a++) {
			const char *want = expected_next(states[s], (enum case_action)a);
			const char *got = case_next_state(states[s], (enum case_action)a);
			if (want == NULL) {
				if (got != NULL)
					fail_msg("%s + %s should be illegal, got %s", states[s],
						 case_action_name((enum case_action)a), got);
			} else {
				if (got == NULL)
					fail_msg("%s + %s should lead to %s, got NULL", states[s],
						 case_action_name((enum case_action)a), want);
				assert_string_equal(got, want);
				nlegal++;
			}
		}
	}
	assert_int_equal(nlegal, 7);
}

static void
test_legal_transitions_exact(void **state)
{
	(void)state;
	assert_string_equal(case_next_state("submitted", ACT_ACCEPT), "accepted");
	assert_string_equal(case_next_state("submitted", ACT_NOT_ACCEPT), "not_accepted");
	assert_string_equal(case_next_state("submitted", ACT_SUPPLEMENT), "needs_supplement");
	assert_string_equal(case_next_state("needs_supplement", ACT_RESUBMIT), "submitted");
	assert_string_equal(case_next_state("accepted", ACT_APPROVE), "approved");
	assert_string_equal(case_next_state("accepted", ACT_DENY), "denied");
	assert_string_equal(case_next_state("approved", ACT_DELIVER), "delivered");
}

static void
test_terminal_states_allow_nothing(void **state)
{
	static const char *const terminal[] = {"not_accepted", "denied", "delivered"};

	(void)state;
	for (int t = 0; t < 3; t++)
		for (int a = 0; a < ACT__COUNT; a++)
			assert_null(case_next_state(terminal[t], (enum case_action)a));
	/* A few illegal pairs spelled out, so a table mistake cannot hide them. */
	assert_null(case_next_state("submitted", ACT_APPROVE));
	assert_null(case_next_state("submitted", ACT_DELIVER));
	assert_null(case_next_state("submitted", ACT_RESUBMIT));
	assert_null(case_next_state("accepted", ACT_ACCEPT));
	assert_null(case_next_state("accepted", ACT_DELIVER));
	assert_null(case_next_state("needs_supplement", ACT_ACCEPT));
	assert_null(case_next_state("needs_supplement", ACT_SUPPLEMENT));
	assert_null(case_next_state("approved", ACT_DENY));
	assert_null(case_next_state("approved", ACT_APPROVE));
}

static void
test_unknown_states_and_actions(void **state)
{
	static const char *const bad[] = {"bogus", "", "Submitted", "submitted ", "accepte"};

	(void)state;
	for (int s = 0; s < 5; s++)
		for (int a = 0; a < ACT__COUNT; a++)
			assert_null(case_next_state(bad[s], (enum case_action)a));
	for (int s = 0; s < NSTATES; s++) {
		assert_null(case_next_state(states[s], ACT__COUNT));
		assert_null(case_next_state(states[s], (enum case_action)(ACT__COUNT + 5)));
	}
}

static void
test_action_roles(void **state)
{
	const unsigned others =
	    ROLE_DEPT_ADMIN | ROLE_DATA_OFFICER | ROLE_SUPERVISOR | ROLE_SYSADMIN;

	(void)state;
	assert_int_equal(case_action_roles(ACT_ACCEPT), ROLE_CLERK);
	assert_int_equal(case_action_roles(ACT_NOT_ACCEPT), ROLE_CLERK);
	assert_int_equal(case_action_roles(ACT_SUPPLEMENT), ROLE_CLERK);
	assert_int_equal(case_action_roles(ACT_RESUBMIT), 0);
	assert_int_equal(case_action_roles(ACT_APPROVE), ROLE_REVIEWER);
	assert_int_equal(case_action_roles(ACT_DENY), ROLE_REVIEWER);
	assert_int_equal(case_action_roles(ACT_DELIVER), ROLE_CLERK | ROLE_REVIEWER);
	for (int a = 0; a < ACT__COUNT; a++)
		assert_int_equal(case_action_roles((enum case_action)a) & others, 0);
	assert_int_equal(case_action_roles(ACT__COUNT), 0);
	assert_int_equal(case_action_roles((enum case_action)(ACT__COUNT + 3)), 0);
}

static void
test_action_names(void **state)
{
	static const char *const names[ACT__COUNT] = {
	    [ACT_ACCEPT] = "accept",	     [ACT_NOT_ACCEPT] = "not_accept",
	    [ACT_SUPPLEMENT] = "supplement", [ACT_RESUBMIT] = "resubmit",
	    [ACT_APPROVE] = "approve",	     [ACT_DENY] = "deny",
	    [ACT_DELIVER] = "deliver"};

	(void)state;
	for (int a = 0; a < ACT__COUNT; a++) {
		assert_string_equal(case_action_name((enum case_action)a), names[a]);
		assert_int_equal(case_action_from_name(names[a]), a);
		assert_int_equal(case_action_from_name(case_action_name((enum case_action)a)), a);
		for (int b = 0; b < a; b++)
			assert_string_not_equal(case_action_name((enum case_action)a),
						case_action_name((enum case_action)b));
	}
	assert_string_equal(case_action_name(ACT__COUNT), "");
	assert_string_equal(case_action_name((enum case_action)(ACT__COUNT + 9)), "");
}

static void
test_action_unknown_names(void **state)
{
	static const char *const bad[] = {"",	       "Accept",    "ACCEPT",	 "not-accept",
					  "accep",     "accepted",  "accept ",	 " accept",
					  "submitted", "submit",    "visit",	 "rate",
					  "deliver\n", "approve\t", "resubmit!", "escalate"};

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (case_action_from_name(bad[i]) != -1)
			fail_msg("\"%s\" should be unknown, got %d", bad[i],
				 case_action_from_name(bad[i]));
}

static void
test_timer_boundaries(void **state)
{
	(void)state;
	/* Running clock, due 1000, warn from 800. */
	assert_string_equal(case_timer(0, "acceptance", 0, 1000, 800), "normal");
	assert_string_equal(case_timer(799, "acceptance", 0, 1000, 800), "normal");
	assert_string_equal(case_timer(800, "acceptance", 0, 1000, 800), "warning");
	assert_string_equal(case_timer(801, "acceptance", 0, 1000, 800), "warning");
	assert_string_equal(case_timer(999, "acceptance", 0, 1000, 800), "warning");
	assert_string_equal(case_timer(1000, "acceptance", 0, 1000, 800), "warning");
	assert_string_equal(case_timer(1001, "acceptance", 0, 1000, 800), "overdue");
	assert_string_equal(case_timer(INT64_MAX, "acceptance", 0, 1000, 800), "overdue");
	/* The decision phase runs the same clock rules. */
	assert_string_equal(case_timer(799, "decision", 0, 1000, 800), "normal");
	assert_string_equal(case_timer(800, "decision", 0, 1000, 800), "warning");
	assert_string_equal(case_timer(1000, "decision", 0, 1000, 800), "warning");
	assert_string_equal(case_timer(1001, "decision", 0, 1000, 800), "overdue");
	/* warn_at == due_at: one warning second, then overdue. */
	assert_string_equal(case_timer(999, "decision", 0, 1000, 1000), "normal");
	assert_string_equal(case_timer(1000, "decision", 0, 1000, 1000), "warning");
	assert_string_equal(case_timer(1001, "decision", 0, 1000, 1000), "overdue");
}

static void
test_timer_real_times(void **state)
{
	/* 2026-03-13 23:59:59 +08:00 due, warning from 2026-03-11 00:00 +08:00. */
	const int64_t due = 1773417599, warn = 1773158400;

	(void)state;
	assert_string_equal(case_timer(warn - 1, "decision", 0, due, warn), "normal");
	assert_string_equal(case_timer(warn, "decision", 0, due, warn), "warning");
	assert_string_equal(case_timer(due, "decision", 0, due, warn), "warning");
	assert_string_equal(case_timer(due + 1, "decision", 0, due, warn), "overdue");
	assert_string_equal(case_timer(due + 86400 * 365, "acceptance", 0, due, warn), "overdue");
}

static void
test_timer_paused_and_closed(void **state)
{
	static const int64_t nows[] = {0, 799, 800, 1000, 1001, 5000};

	(void)state;
	for (int i = 0; i < 6; i++) {
		/* Paused (补正) wins over normal, warning and overdue. */
		assert_string_equal(case_timer(nows[i], "acceptance", 1, 1000, 800), "paused");
		assert_string_equal(case_timer(nows[i], "decision", 1, 1000, 800), "paused");
		/* Closed wins over everything, paused included. */
		assert_string_equal(case_timer(nows[i], "closed", 0, 1000, 800), "closed");
		assert_string_equal(case_timer(nows[i], "closed", 1, 1000, 800), "closed");
	}
	/* Any non-zero paused flag counts. */
	assert_string_equal(case_timer(5000, "acceptance", 7, 1000, 800), "paused");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_every_state_action_pair),
	    cmocka_unit_test(test_legal_transitions_exact),
	    cmocka_unit_test(test_terminal_states_allow_nothing),
	    cmocka_unit_test(test_unknown_states_and_actions),
	    cmocka_unit_test(test_action_roles),
	    cmocka_unit_test(test_action_names),
	    cmocka_unit_test(test_action_unknown_names),
	    cmocka_unit_test(test_timer_boundaries),
	    cmocka_unit_test(test_timer_real_times),
	    cmocka_unit_test(test_timer_paused_and_closed),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
