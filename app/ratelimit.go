package app

import (
	"context"
	"net/netip"
	"sync"
	"time"
)

// Sign-in limits, per process (behind a load balancer each process counts
// alone). An attempt is reserved before its password is checked and
// counted as in flight until it ends, so concurrent attempts cannot pass
// the limits; a wrong password keeps its reservation as a failure for
// LoginFailureWindow, a right one gives it back.
//
//   - LoginFailuresPerAccountAddress for one account from one address;
//   - LoginFailuresPerAddress from one address, all accounts together;
//   - once an account has LoginAccountAttackFailures failures from all
//     addresses, it is under attack: each address that already failed on
//     it gets only LoginFailuresUnderAttack, and at most
//     LoginAccountInFlight attempts on it run at once.
//
// No limit is per account alone, so nobody can lock a person out by
// failing on their account: the owner, from an address that has not
// failed, still signs in.
const (
	LoginFailuresPerAccountAddress = 10
	LoginFailuresPerAddress        = 50
	LoginAccountAttackFailures     = 20
	LoginFailuresUnderAttack       = 3
	LoginAccountInFlight           = 4
	LoginFailureWindow             = 15 * time.Minute
	// maxTrackedKeys bounds the limiter's memory under a flood of names.
	maxTrackedKeys = 100_000
)

// attempts are one key's failures in the window and attempts in flight.
type attempts struct {
	fails    []time.Time
	inFlight int
}

// signInLimiter keeps the attempts of every key (pair, address, account).
type signInLimiter struct {
	mu   sync.Mutex
	keys map[string]*attempts
}

func newSignInLimiter() *signInLimiter {
	return &signInLimiter{keys: map[string]*attempts{}}
}

// recent returns key's attempts with failures older than the window
// dropped (nil when none remain); l.mu is held.
func (l *signInLimiter) recent(key string, now time.Time) *attempts {
	a := l.keys[key]
	if a == nil {
		return nil
	}
	i := 0
	for i < len(a.fails) && now.Sub(a.fails[i]) >= LoginFailureWindow {
		i++
	}
	a.fails = a.fails[i:]
	if len(a.fails) == 0 && a.inFlight == 0 {
		delete(l.keys, key)
		return nil
	}
	return a
}

func (l *signInLimiter) entry(key string, now time.Time) *attempts {
	if a := l.recent(key, now); a != nil {
		return a
	}
	if len(l.keys) >= maxTrackedKeys {
		for k := range l.keys {
			l.recent(k, now)
		}
		if len(l.keys) >= maxTrackedKeys {
			// A flood: forget failures rather than grow without bound
			// (attempts in flight stay counted).
			for k, a := range l.keys {
				if a.inFlight == 0 {
					delete(l.keys, k)
				}
			}
		}
	}
	a := &attempts{}
	l.keys[key] = a
	return a
}

// used is failures plus attempts in flight.
func (a *attempts) used() int {
	if a == nil {
		return 0
	}
	return len(a.fails) + a.inFlight
}

// retryAfter is when the oldest of a's failures leaves the window.
func (a *attempts) retryAfter(now time.Time) time.Duration {
	if a == nil || len(a.fails) == 0 {
		return time.Second // only attempts in flight: try again soon
	}
	return LoginFailureWindow - now.Sub(a.fails[0])
}

// signInAttempt is a reservation: end it with the outcome.
type signInAttempt struct {
	l    *signInLimiter
	keys [3]string
}

// reserve takes an attempt for account from addr, or returns how long to
// wait before trying again.
func (l *signInLimiter) reserve(account, addr string, now time.Time) (*signInAttempt, time.Duration) {
	pairKey, addrKey, acctKey := "p\x00"+account+"\x00"+addr, "a\x00"+addr, "c\x00"+account
	l.mu.Lock()
	defer l.mu.Unlock()
	pair, byAddr, acct := l.recent(pairKey, now), l.recent(addrKey, now), l.recent(acctKey, now)
	pairMax := LoginFailuresPerAccountAddress
	underAttack := acct != nil && len(acct.fails) >= LoginAccountAttackFailures
	if underAttack && pair != nil && len(pair.fails) > 0 {
		pairMax = LoginFailuresUnderAttack
	}
	switch {
	case pair.used() >= pairMax:
		return nil, pair.retryAfter(now)
	case addr != "" && byAddr.used() >= LoginFailuresPerAddress:
		return nil, byAddr.retryAfter(now)
	case underAttack && acct.inFlight >= LoginAccountInFlight:
		return nil, time.Second
	}
	for _, k := range []string{pairKey, addrKey, acctKey} {
		l.entry(k, now).inFlight++
	}
	return &signInAttempt{l: l, keys: [3]string{pairKey, addrKey, acctKey}}, 0
}

// end records the attempt's outcome: a failure stays counted for the
// window; a success clears the pair's failures.
func (a *signInAttempt) end(failed bool, now time.Time) {
	a.l.mu.Lock()
	defer a.l.mu.Unlock()
	for i, k := range a.keys {
		e := a.l.keys[k]
		if e == nil {
			continue
		}
		e.inFlight--
		if failed {
			e.fails = append(e.fails, now)
		} else if i == 0 {
			e.fails = nil
		}
		a.l.recent(k, now)
	}
}

type addrKey struct{}

// WithClientAddr returns ctx carrying the caller's network address (the
// HTTP layer sets it), used to limit failed sign-ins per address.
func WithClientAddr(ctx context.Context, addr string) context.Context {
	return context.WithValue(ctx, addrKey{}, addr)
}

// ClientAddrKey is the caller's address as limits per address count it
// (see clientAddr): the edge uses it for its own such limits.
func ClientAddrKey(ctx context.Context) string { return clientAddr(ctx) }

// clientAddr is the caller's address as the sign-in limits count it: an
// IPv6 address stands for its /64, since one subscriber usually holds a
// whole /64 and could otherwise use a fresh address for every attempt.
func clientAddr(ctx context.Context) string {
	a, _ := ctx.Value(addrKey{}).(string)
	if ip, err := netip.ParseAddr(a); err == nil && ip.Is6() && !ip.Is4In6() {
		if p, err := ip.Prefix(64); err == nil {
			return p.String()
		}
	}
	return a
}
