package app

import (
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// TestSignInLimiterReservesBeforeChecking: 60 concurrent attempts on one
// account from one address get LoginFailuresPerAccountAddress
// reservations, however they interleave.
func TestSignInLimiterReservesBeforeChecking(t *testing.T) {
	l := newSignInLimiter()
	now := time.Now()
	var got atomic.Int64
	var wg sync.WaitGroup
	start := make(chan struct{})
	for range 60 {
		wg.Go(func() {
			<-start
			if a, _ := l.reserve("owner@example.com", "10.0.0.1", now); a != nil {
				got.Add(1)
				time.Sleep(10 * time.Millisecond) // the password check
				a.end(true, now)
			}
		})
	}
	close(start)
	wg.Wait()
	if got.Load() != LoginFailuresPerAccountAddress {
		t.Fatalf("%d attempts reserved, want %d", got.Load(), LoginFailuresPerAccountAddress)
	}
	if a, wait := l.reserve("owner@example.com", "10.0.0.1", now); a != nil || wait < LoginFailureWindow-time.Second {
		t.Fatalf("after the limit: %v, wait %s", a, wait)
	}
	// The window passes: the pair may try again.
	if a, _ := l.reserve("owner@example.com", "10.0.0.1", now.Add(LoginFailureWindow)); a == nil {
		t.Fatal("refused after the window")
	}
}

// TestSignInLimiterNoLockout: failures from attackers' addresses never
// keep the owner, at an address of their own, out; an account under
// attack tightens only the addresses that failed on it.
func TestSignInLimiterNoLockout(t *testing.T) {
	l := newSignInLimiter()
	now := time.Now()
	const acct = "owner@example.com"
	for i := range 40 {
		addr := fmt.Sprintf("203.0.113.%d", i)
		a, _ := l.reserve(acct, addr, now)
		if a == nil {
			t.Fatalf("attacker %d refused at its first attempt", i)
		}
		a.end(true, now)
	}
	// Under attack: an address that failed gets LoginFailuresUnderAttack.
	n := 1
	for {
		a, _ := l.reserve(acct, "203.0.113.0", now)
		if a == nil {
			break
		}
		a.end(true, now)
		n++
	}
	if n != LoginFailuresUnderAttack {
		t.Errorf("a failing address under attack had %d attempts, want %d", n, LoginFailuresUnderAttack)
	}
	a, _ := l.reserve(acct, "198.51.100.7", now)
	if a == nil {
		t.Fatal("the owner, from a fresh address, was refused")
	}
	a.end(false, now)
	// Per address, all accounts together.
	for i := range LoginFailuresPerAddress {
		a, _ := l.reserve(fmt.Sprintf("u%d@example.com", i), "192.0.2.1", now)
		if a == nil {
			t.Fatalf("address refused after %d", i)
		}
		a.end(true, now)
	}
	if a, _ := l.reserve("another@example.com", "192.0.2.1", now); a != nil {
		t.Error("an address past its limit could try another account")
	}
}
