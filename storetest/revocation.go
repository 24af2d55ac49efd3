package storetest

import (
	"context"
	"sync/atomic"
	"testing"
	"time"

	"github.com/nexios-go/nexios/auth"
)

// RevocationList runs the conformance suite for an auth.RevocationList.
// newList returns the list under test; it is called once per subtest.
//
// It checks: RevokeOnce reports first exactly once per jti, also under 100
// concurrent calls; a revoked jti stays revoked until its expiry and is
// forgotten after (RevokeOnce is first again); families and subjects are
// revoked until their expiry, a later revocation keeping the later times;
// a subject's cutoff is exclusive and millisecond-precise; IsRevoked
// matches on any of jti, family and subject and ignores empty fields.
func RevocationList(t *testing.T, newList func(t *testing.T) auth.RevocationList) {
	t.Helper()
	for _, tc := range []struct {
		name string
		run  func(t *testing.T, l auth.RevocationList)
	}{
		{"RevokeOnce", revokeOnce},
		{"RevokeOnceConcurrent", revokeOnceConcurrent},
		{"TokenExpiry", tokenExpiry},
		{"Family", family},
		{"FamilyExpiry", familyExpiry},
		{"Subject", subject},
		{"SubjectExpiry", subjectExpiry},
		{"AnyField", anyField},
		{"ConcurrentMixed", concurrentMixed},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			tc.run(t, newList(t))
		})
	}
}

var ctx = context.Background()

// revoked asks l about rc and fails the test on an error or an answer
// other than want.
func revoked(t *testing.T, l auth.RevocationList, rc auth.RevocationCheck, want bool, what string) {
	t.Helper()
	got, err := l.IsRevoked(ctx, rc)
	if err != nil {
		t.Fatalf("%s: IsRevoked(%+v): %v", what, rc, err)
	}
	if got != want {
		t.Fatalf("%s: IsRevoked(%+v) = %v, want %v", what, rc, got, want)
	}
}

func revokeOnceOK(t *testing.T, l auth.RevocationList, jti string, exp time.Time, want bool, what string) {
	t.Helper()
	first, err := l.RevokeOnce(ctx, jti, exp)
	if err != nil {
		t.Fatalf("%s: RevokeOnce: %v", what, err)
	}
	if first != want {
		t.Fatalf("%s: RevokeOnce(%q) first = %v, want %v", what, jti, first, want)
	}
}

func revokeOnce(t *testing.T, l auth.RevocationList) {
	jti, other := unique("jti"), unique("jti")
	exp := time.Now().Add(time.Hour)
	revoked(t, l, auth.RevocationCheck{JTI: jti}, false, "before revoking")
	revokeOnceOK(t, l, jti, exp, true, "first call")
	revokeOnceOK(t, l, jti, exp, false, "second call")
	revokeOnceOK(t, l, jti, exp.Add(time.Hour), false, "third call, later expiry")
	revoked(t, l, auth.RevocationCheck{JTI: jti}, true, "the revoked jti")
	revoked(t, l, auth.RevocationCheck{JTI: other}, false, "another jti")
	revoked(t, l, auth.RevocationCheck{}, false, "an empty check")
	revoked(t, l, auth.RevocationCheck{Family: jti, Subject: jti}, false, "the jti's value as a family and subject")
}

// 100 goroutines call RevokeOnce for one jti: exactly one is first.
func revokeOnceConcurrent(t *testing.T, l auth.RevocationList) {
	exp := time.Now().Add(time.Hour)
	for round := range 5 {
		jti := unique("race")
		var firsts, errs atomic.Int32
		together(100, func(int) {
			first, err := l.RevokeOnce(ctx, jti, exp)
			switch {
			case err != nil:
				errs.Add(1)
			case first:
				firsts.Add(1)
			}
		})
		if errs.Load() != 0 || firsts.Load() != 1 {
			t.Fatalf("round %d: 100 concurrent RevokeOnce: %d first, %d errors; want exactly 1 first, no errors",
				round, firsts.Load(), errs.Load())
		}
		revoked(t, l, auth.RevocationCheck{JTI: jti}, true, "after the race")
	}
}

// A revoked jti stays revoked until its expiry and is forgotten after; a
// later RevokeOnce does not extend an unexpired entry.
func tokenExpiry(t *testing.T, l auth.RevocationList) {
	jti := unique("exp")
	exp := time.Now().Add(500 * time.Millisecond)
	revokeOnceOK(t, l, jti, exp, true, "revoke")
	revokeOnceOK(t, l, jti, exp.Add(time.Hour), false, "again, later expiry")
	sleepUntil(exp.Add(-150 * time.Millisecond))
	revoked(t, l, auth.RevocationCheck{JTI: jti}, true, "just before its expiry")
	sleepUntil(exp.Add(250 * time.Millisecond))
	revoked(t, l, auth.RevocationCheck{JTI: jti}, false, "after its expiry (forgotten)")
	revokeOnceOK(t, l, jti, time.Now().Add(time.Hour), true, "after its expiry, RevokeOnce")
	revoked(t, l, auth.RevocationCheck{JTI: jti}, true, "revoked again")
}

func family(t *testing.T, l auth.RevocationList) {
	fam, other := unique("fam"), unique("fam")
	revoked(t, l, auth.RevocationCheck{Family: fam}, false, "before revoking")
	must(t, l.RevokeFamily(ctx, fam, time.Now().Add(time.Hour)))
	revoked(t, l, auth.RevocationCheck{Family: fam}, true, "the family")
	revoked(t, l, auth.RevocationCheck{JTI: unique("jti"), Family: fam, Subject: unique("sub")}, true, "a token of the family")
	revoked(t, l, auth.RevocationCheck{Family: other}, false, "another family")
	revoked(t, l, auth.RevocationCheck{JTI: fam, Subject: fam}, false, "the family's value as a jti and subject")
	must(t, l.RevokeFamily(ctx, fam, time.Now().Add(2*time.Hour))) // again: no error
	revoked(t, l, auth.RevocationCheck{Family: fam}, true, "revoked twice")
}

// A family is revoked until its expiry; revoking it again keeps the later
// expiry, whichever order the calls come in.
func familyExpiry(t *testing.T, l auth.RevocationList) {
	start := time.Now()
	shortened, extended := unique("fam"), unique("fam")
	must(t, l.RevokeFamily(ctx, shortened, start.Add(600*time.Millisecond)))
	must(t, l.RevokeFamily(ctx, shortened, start.Add(300*time.Millisecond)))
	must(t, l.RevokeFamily(ctx, extended, start.Add(300*time.Millisecond)))
	must(t, l.RevokeFamily(ctx, extended, start.Add(600*time.Millisecond)))
	sleepUntil(start.Add(450 * time.Millisecond))
	revoked(t, l, auth.RevocationCheck{Family: shortened}, true, "a family revoked again with an earlier expiry, between the two")
	revoked(t, l, auth.RevocationCheck{Family: extended}, true, "a family revoked again with a later expiry, between the two")
	sleepUntil(start.Add(850 * time.Millisecond))
	revoked(t, l, auth.RevocationCheck{Family: shortened}, false, "after the later expiry")
	revoked(t, l, auth.RevocationCheck{Family: extended}, false, "after the later expiry")
}

// Every token of a subject issued before the cutoff is revoked; the
// cutoff is exclusive and millisecond-precise; a second revocation keeps
// the later cutoff.
func subject(t *testing.T, l auth.RevocationList) {
	sub, other := unique("sub"), unique("sub")
	cut := ms(time.Now())
	exp := time.Now().Add(time.Hour)
	at := func(d time.Duration) auth.RevocationCheck {
		return auth.RevocationCheck{Subject: sub, IssuedAt: cut.Add(d)}
	}
	revoked(t, l, at(-time.Second), false, "before revoking")
	must(t, l.RevokeSubject(ctx, sub, cut, exp))
	revoked(t, l, at(-time.Hour), true, "issued an hour before the cutoff")
	revoked(t, l, at(-time.Millisecond), true, "issued 1 ms before the cutoff")
	revoked(t, l, at(0), false, "issued at the cutoff")
	revoked(t, l, at(time.Millisecond), false, "issued 1 ms after the cutoff")
	revoked(t, l, auth.RevocationCheck{Subject: sub}, true, "no issue time")
	revoked(t, l, auth.RevocationCheck{Subject: other, IssuedAt: cut.Add(-time.Hour)}, false, "another subject")
	revoked(t, l, auth.RevocationCheck{JTI: sub, Family: sub, IssuedAt: cut.Add(-time.Hour)}, false, "the subject's value as a jti and family")

	must(t, l.RevokeSubject(ctx, sub, cut.Add(10*time.Millisecond), exp))
	revoked(t, l, at(5*time.Millisecond), true, "after a later cutoff, issued between the two")
	must(t, l.RevokeSubject(ctx, sub, cut.Add(-time.Hour), exp))
	revoked(t, l, at(5*time.Millisecond), true, "after an earlier cutoff (the later one stays)")
	revoked(t, l, at(10*time.Millisecond), false, "issued at the later cutoff")
}

// A subject's revocation lasts until its expiry; a second revocation keeps
// the later expiry.
func subjectExpiry(t *testing.T, l auth.RevocationList) {
	start := time.Now()
	cut := ms(start)
	sub, extended := unique("sub"), unique("sub")
	must(t, l.RevokeSubject(ctx, sub, cut, start.Add(500*time.Millisecond)))
	must(t, l.RevokeSubject(ctx, extended, cut, start.Add(300*time.Millisecond)))
	must(t, l.RevokeSubject(ctx, extended, cut, start.Add(600*time.Millisecond)))
	old := func(s string) auth.RevocationCheck {
		return auth.RevocationCheck{Subject: s, IssuedAt: cut.Add(-time.Minute)}
	}
	sleepUntil(start.Add(400 * time.Millisecond))
	revoked(t, l, old(sub), true, "before its expiry")
	revoked(t, l, old(extended), true, "between the two expiries")
	sleepUntil(start.Add(850 * time.Millisecond))
	revoked(t, l, old(sub), false, "after its expiry (forgotten)")
	revoked(t, l, old(extended), false, "after the later expiry")
	// Forgotten means forgotten: a new, earlier cutoff is not raised by
	// the expired one.
	must(t, l.RevokeSubject(ctx, sub, cut.Add(-time.Hour), time.Now().Add(time.Hour)))
	revoked(t, l, old(sub), false, "a new revocation with an earlier cutoff")
}

// IsRevoked matches on any of the three fields.
func anyField(t *testing.T, l auth.RevocationList) {
	jti, fam, sub := unique("jti"), unique("fam"), unique("sub")
	exp := time.Now().Add(time.Hour)
	cut := ms(time.Now())
	revokeOnceOK(t, l, jti, exp, true, "revoke jti")
	must(t, l.RevokeFamily(ctx, fam, exp))
	must(t, l.RevokeSubject(ctx, sub, cut, exp))
	fresh := func() auth.RevocationCheck {
		return auth.RevocationCheck{JTI: unique("jti"), Family: unique("fam"), Subject: unique("sub"), IssuedAt: cut.Add(-time.Second)}
	}
	revoked(t, l, fresh(), false, "nothing revoked")
	for name, set := range map[string]func(*auth.RevocationCheck){
		"revoked jti":     func(rc *auth.RevocationCheck) { rc.JTI = jti },
		"revoked family":  func(rc *auth.RevocationCheck) { rc.Family = fam },
		"revoked subject": func(rc *auth.RevocationCheck) { rc.Subject = sub },
	} {
		rc := fresh()
		set(&rc)
		revoked(t, l, rc, true, name+" among fresh fields")
	}
}

// Revocations and checks from many goroutines at once: each revoked token
// is seen revoked by every later check, and no check reports an error.
func concurrentMixed(t *testing.T, l auth.RevocationList) {
	exp := time.Now().Add(time.Hour)
	fam := unique("fam")
	var failures atomic.Int32
	together(50, func(i int) {
		jti := unique("mixed")
		if first, err := l.RevokeOnce(ctx, jti, exp); err != nil || !first {
			failures.Add(1)
		}
		if i%10 == 0 {
			if err := l.RevokeFamily(ctx, fam, exp); err != nil {
				failures.Add(1)
			}
		}
		for range 5 {
			if r, err := l.IsRevoked(ctx, auth.RevocationCheck{JTI: jti}); err != nil || !r {
				failures.Add(1)
			}
			if r, err := l.IsRevoked(ctx, auth.RevocationCheck{JTI: unique("never")}); err != nil || r {
				failures.Add(1)
			}
		}
	})
	if n := failures.Load(); n != 0 {
		t.Fatalf("%d wrong answers or errors under concurrent use", n)
	}
	revoked(t, l, auth.RevocationCheck{Family: fam}, true, "the family revoked concurrently")
}
