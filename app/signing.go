package app

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"net/url"
	"strconv"
	"sync"
	"time"

	"github.com/stillroom/stillroom/core"
)

// signer signs the server's own short-lived URLs (originals and uploads on
// the local disk store). Its key is shared by every process through the
// settings store and made at first use.
type signer struct {
	mu  sync.Mutex
	key []byte
}

const signingKeySetting = "urlSigningKey"

func (s *Service) signingKey(ctx context.Context) ([]byte, error) {
	s.signer.mu.Lock()
	defer s.signer.mu.Unlock()
	if s.signer.key != nil {
		return s.signer.key, nil
	}
	v, err := s.store.SettingOrInit(ctx, signingKeySetting, randomString(32))
	if err != nil {
		return nil, err
	}
	s.signer.key = []byte(v)
	return s.signer.key, nil
}

func mac(key []byte, purpose, id string, exp int64) string {
	m := hmac.New(sha256.New, key)
	m.Write([]byte(purpose + "\n" + id + "\n" + strconv.FormatInt(exp, 10)))
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil))
}

// signedURL returns path?exp=…&sig=… valid until now+ttl.
func (s *Service) signedURL(ctx context.Context, purpose, path, id string, ttl time.Duration) (string, time.Time, error) {
	key, err := s.signingKey(ctx)
	if err != nil {
		return "", time.Time{}, err
	}
	exp := s.now().Add(ttl)
	q := url.Values{"exp": {strconv.FormatInt(exp.Unix(), 10)}, "sig": {mac(key, purpose, id, exp.Unix())}}
	return s.cfg.PublicURL + path + "?" + q.Encode(), exp, nil
}

// checkSignature accepts a URL made by signedURL for the same purpose and
// id while it has not expired: FORBIDDEN otherwise, and FORBIDDEN when
// its exp lies further ahead than its purpose's lifetime (plus
// signedLinkClockSkew): a link signed by someone who obtained the key
// cannot be made to last.
func (s *Service) checkSignature(ctx context.Context, purpose, id, exp, sig string) error {
	key, err := s.signingKey(ctx)
	if err != nil {
		return err
	}
	e, perr := strconv.ParseInt(exp, 10, 64)
	if perr != nil || !hmac.Equal([]byte(sig), []byte(mac(key, purpose, id, e))) {
		return core.Errorf(core.CodeForbidden, "invalid signature")
	}
	if s.now().Unix() > e {
		return core.Errorf(core.CodeForbidden, "the link has expired")
	}
	if time.Unix(e, 0).Sub(s.now()) > s.linkLifetime(purpose)+signedLinkClockSkew {
		return core.Errorf(core.CodeForbidden, "the link's expiry is further ahead than links are made for")
	}
	return nil
}

// signedLinkClockSkew allows for clocks of several processes that differ.
const signedLinkClockSkew = time.Minute

// linkLifetime is how long signedURL makes links of purpose last.
func (s *Service) linkLifetime(purpose string) time.Duration {
	if purpose == "upload" {
		return s.cfg.UploadTicketTTL
	}
	return s.cfg.OriginalURLTTL
}
