package profile

import (
	"fmt"
	"net/url"
	"regexp"
	"strings"
	"time"
	_ "time/tzdata" // zoneinfo is checked against the embedded IANA database, so a host without one changes nothing.
	"unicode"
	"unicode/utf8"

	"github.com/nyaruka/phonenumbers"
	"golang.org/x/net/idna"
	"golang.org/x/text/language"
)

// emailDomain maps a domain as a resolver would (UTS #46) and checks the
// DNS length limits: 63 octets a label, 253 in all.
var emailDomain = idna.New(
	idna.MapForLookup(),
	idna.BidiRule(),
	idna.Transitional(false),
	idna.VerifyDNSLength(true),
)

// normalizeEmail accepts a bare addr-spec (RFC 5322, section 3.4.1) whose
// local part is a dot-atom, lowercases and IDNA-encodes the domain, and keeps
// the local part as sent, since RFC 5321 lets it be case-sensitive. Display
// names, comments, quoted local parts and address literals are rejected.
func normalizeEmail(s string) (string, problem) {
	invalid := problem{CodeInvalidEmail, "must be an email address such as name@example.com, without a display name"}

	at := strings.LastIndexByte(s, '@')
	if at <= 0 || at == len(s)-1 {
		return "", invalid
	}
	local, domain := s[:at], s[at+1:]
	if len(local) > maxLocalPartSize || !isDotAtom(local) {
		return "", invalid
	}

	ascii, err := emailDomain.ToASCII(domain)
	if err != nil || !strings.Contains(ascii, ".") || strings.HasSuffix(ascii, ".") {
		return "", invalid
	}

	addr := local + "@" + strings.ToLower(ascii)
	if len(addr) > MaxEmailOctets {
		return "", problem{CodeTooLong, fmt.Sprintf("must be at most %d octets", MaxEmailOctets)}
	}
	return addr, problem{}
}

// isDotAtom reports whether s is a dot-atom: atoms of atext joined by single
// dots. UTF-8 beyond ASCII counts as atext, as RFC 6532 allows.
func isDotAtom(s string) bool {
	for atom := range strings.SplitSeq(s, ".") {
		if atom == "" {
			return false
		}
		for _, r := range atom {
			if !isAtext(r) {
				return false
			}
		}
	}
	return true
}

func isAtext(r rune) bool {
	switch {
	case r >= utf8.RuneSelf:
		return unicode.IsGraphic(r) && !unicode.IsSpace(r)
	case 'a' <= r && r <= 'z', 'A' <= r && r <= 'Z', '0' <= r && r <= '9':
		return true
	}
	return strings.ContainsRune("!#$%&'*+-/=?^_`{|}~", r)
}

// phoneChars are the characters of a number written for people: digits and
// the usual separators. Letters are rejected, because libphonenumber would
// read them as keypad digits or as an extension and drop it, storing a
// number that the user did not type.
var phoneChars = regexp.MustCompile(`^\+[0-9 ()./-]+$`)

// normalizePhone accepts a number in international form ("+" and the country
// code, with spaces, dots, dashes, slashes or brackets) that libphonenumber
// holds valid, and returns it in E.164.
func normalizePhone(s string) (string, problem) {
	invalid := problem{CodeInvalidPhone, "must be a valid phone number in international form, such as +44 20 7946 0018"}
	if len(s) > maxPhoneLength || !phoneChars.MatchString(s) {
		return "", invalid
	}

	num, err := phonenumbers.Parse(s, "")
	if err != nil || !phonenumbers.IsValidNumber(num) || num.GetExtension() != "" {
		return "", invalid
	}
	return phonenumbers.Format(num, phonenumbers.E164), problem{}
}

// normalizeURL accepts an absolute https URL with a host and without user
// information, of at most MaxURLLength characters, and keeps it as sent.
func normalizeURL(s string) (string, problem) {
	if utf8.RuneCountInString(s) > MaxURLLength {
		return "", problem{CodeTooLong, fmt.Sprintf("must be at most %d characters", MaxURLLength)}
	}

	invalid := problem{CodeInvalidURL, "must be an absolute https URL without user information"}
	if strings.ContainsFunc(s, unicode.IsSpace) {
		return "", invalid
	}
	u, err := url.Parse(s)
	if err != nil || u.Scheme != "https" || u.Hostname() == "" || u.User != nil {
		return "", invalid
	}
	return s, problem{}
}

// normalizeLocale accepts a well-formed BCP 47 language tag (RFC 5646) and
// returns its canonical form, such as en-GB for en-gb.
func normalizeLocale(s string) (string, problem) {
	invalid := problem{CodeInvalidTag, "must be a BCP 47 language tag such as en-GB"}
	if len(s) > MaxLocaleLength {
		return "", invalid
	}

	tag, err := language.Parse(s)
	if err != nil {
		return "", invalid
	}
	return tag.String(), problem{}
}

// zoneName is the shape of an IANA time zone name: letters first, then
// letters, digits and "_+-", in "/"-separated parts.
var zoneName = regexp.MustCompile(`^[A-Za-z][A-Za-z0-9_+-]*(/[A-Za-z0-9_+-]+)*$`)

// notZones are names that time.LoadLocation accepts but that are not IANA
// zone names: Go's own "Local", and the copies of the database that some
// Linux distributions install under posix/ and right/.
var notZones = regexp.MustCompile(`^(Local|posixrules|(posix|right)/.*)$`)

// normalizeZone accepts an IANA time zone name, such as Europe/Paris, that
// the time zone database contains.
func normalizeZone(s string) (string, problem) {
	invalid := problem{CodeInvalidZone, "must be an IANA time zone name such as Europe/Paris"}
	if len(s) > MaxZoneLength || !zoneName.MatchString(s) || notZones.MatchString(s) {
		return "", invalid
	}
	if _, err := time.LoadLocation(s); err != nil {
		return "", invalid
	}
	return s, problem{}
}
