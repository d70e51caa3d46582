package mongostore

import (
	"regexp"
)

// searchConds matches documents whose searchTokens hold every word, the
// last one as a prefix (so results follow the user's typing). Words arrive
// folded the way the tokens were; empty words are ignored. The prefix is an
// anchored regular expression on the array, which matches when any element
// matches, on MongoDB and FerretDB alike.
func searchConds(words []string) conds {
	var ws []string
	for _, w := range words {
		if w != "" {
			ws = append(ws, w)
		}
	}
	if len(ws) == 0 {
		return nil
	}
	var cs conds
	last := ws[len(ws)-1]
	if full := ws[:len(ws)-1]; len(full) > 0 {
		cs = append(cs, op("searchTokens", "$all", full))
	}
	return append(cs, op("searchTokens", "$regex", "^"+regexp.QuoteMeta(last)))
}
