package profile_test

import (
	"strings"
	"testing"

	"github.com/serverless-profile/profile-service/internal/profile"
)

func TestNormalizeEmail(t *testing.T) {
	// The length cases use a 64-octet local part and labels of at most 63
	// octets, so that only the total length of 254 or 255 octets decides.
	local64 := "ada." + strings.Repeat("a", 60)
	domain189 := strings.Repeat("a", 63) + "." + strings.Repeat("b", 63) + "." + strings.Repeat("c", 53) + ".example"
	domain190 := strings.Repeat("a", 63) + "." + strings.Repeat("b", 63) + "." + strings.Repeat("c", 54) + ".example"
	// Fourteen "bücher." labels are 112 octets as sent and 196 once
	// IDNA-encoded, which takes the address from 184 to 268 octets.
	expanding := strings.Repeat("a", 64) + "@" + strings.Repeat("bücher.", 14) + "example"

	tests := []fieldCase{
		{name: "plain", in: "ada@example.com", want: "ada@example.com"},
		{name: "trimmed", in: "  ada@example.com ", want: "ada@example.com"},
		{name: "domain lowercased", in: "ada@Example.COM", want: "ada@example.com"},
		{name: "local case kept", in: "Ada.Example@example.com", want: "Ada.Example@example.com"},
		{name: "both cases", in: "  Ada@Example.COM ", want: "Ada@example.com"},
		{name: "idna", in: "ada@bücher.example", want: "ada@xn--bcher-kva.example"},
		{name: "idna uppercase", in: "ada@BÜCHER.example", want: "ada@xn--bcher-kva.example"},
		{name: "idna decomposed", in: "ada@bu\u0308cher.example", want: "ada@xn--bcher-kva.example"},
		{name: "punycode kept", in: "ada@xn--bcher-kva.example", want: "ada@xn--bcher-kva.example"},
		{name: "subdomain", in: "ada@mail.example.co.uk", want: "ada@mail.example.co.uk"},
		{name: "plus tag", in: "ada+news@example.com", want: "ada+news@example.com"},
		{name: "atext symbols", in: "a!#$%&'*+-/=?^_`{|}~z@example.com", want: "a!#$%&'*+-/=?^_`{|}~z@example.com"},
		{name: "utf-8 local part", in: "adé@example.com", want: "adé@example.com"},

		{name: "display name", in: "Ada <ada@example.com>", wantCode: profile.CodeInvalidEmail},
		{name: "angle brackets", in: "<ada@example.com>", wantCode: profile.CodeInvalidEmail},
		{name: "comment", in: "ada@example.com (Ada)", wantCode: profile.CodeInvalidEmail},
		{name: "no at sign", in: "ada.example.com", wantCode: profile.CodeInvalidEmail},
		{name: "empty local part", in: "@example.com", wantCode: profile.CodeInvalidEmail},
		{name: "empty domain", in: "ada@", wantCode: profile.CodeInvalidEmail},
		{name: "two at signs", in: "ada@b@example.com", wantCode: profile.CodeInvalidEmail},
		{name: "quoted local part", in: `"ada example"@example.com`, wantCode: profile.CodeInvalidEmail},
		{name: "quoted atom", in: `"ada"@example.com`, wantCode: profile.CodeInvalidEmail},
		{name: "space in local part", in: "ada example@example.com", wantCode: profile.CodeInvalidEmail},
		{name: "double dot in local", in: "ada..example@example.com", wantCode: profile.CodeInvalidEmail},
		{name: "leading dot in local", in: ".ada@example.com", wantCode: profile.CodeInvalidEmail},
		{name: "trailing dot in local", in: "ada.@example.com", wantCode: profile.CodeInvalidEmail},
		{name: "no dot in domain", in: "ada@localhost", wantCode: profile.CodeInvalidEmail},
		{name: "trailing dot", in: "ada@example.com.", wantCode: profile.CodeInvalidEmail},
		{name: "leading dot in domain", in: "ada@.example.com", wantCode: profile.CodeInvalidEmail},
		{name: "double dot in domain", in: "ada@example..com", wantCode: profile.CodeInvalidEmail},
		{name: "space in domain", in: "ada@ex ample.com", wantCode: profile.CodeInvalidEmail},
		{name: "underscore in domain", in: "ada@exa_mple.com", wantCode: profile.CodeInvalidEmail},
		{name: "address literal", in: "ada@[192.0.2.1]", wantCode: profile.CodeInvalidEmail},
		{name: "bad punycode", in: "ada@xn--zz.example", wantCode: profile.CodeInvalidEmail},
		{name: "label of 64", in: "ada@" + strings.Repeat("a", 64) + ".example", wantCode: profile.CodeInvalidEmail},

		{name: "local part of 64", in: local64 + "@example.com", want: local64 + "@example.com"},
		{name: "local part of 65", in: local64 + "a@example.com", wantCode: profile.CodeInvalidEmail},
		{name: "local part of 66 octets", in: strings.Repeat("é", 33) + "@example.com", wantCode: profile.CodeInvalidEmail},
		{name: "254 octets", in: local64 + "@" + domain189, want: local64 + "@" + domain189},
		{name: "255 octets", in: local64 + "@" + domain190, wantCode: profile.CodeTooLong},
		{name: "254 octets uppercase", in: local64 + "@" + strings.ToUpper(domain189), want: local64 + "@" + domain189},
		{name: "over 254 after idna", in: expanding, wantCode: profile.CodeTooLong},
	}
	runFieldCases(t, "email", tests)
}

func TestNormalizePhone(t *testing.T) {
	tests := []fieldCase{
		{name: "e164", in: "+442079460018", want: "+442079460018"},
		{name: "spaces", in: "+44 20 7946 0018", want: "+442079460018"},
		{name: "trimmed", in: "  +44 20 7946 0018 ", want: "+442079460018"},
		{name: "dashes", in: "+44-20-7946-0018", want: "+442079460018"},
		{name: "dots", in: "+44.20.7946.0018", want: "+442079460018"},
		{name: "brackets", in: "+44 (20) 7946 0018", want: "+442079460018"},
		{name: "national prefix in brackets", in: "+44 (0)20 7946 0018", want: "+442079460018"},
		{name: "last of range", in: "+44 20 7946 0999", want: "+442079460999"},

		{name: "too short", in: "12345", wantCode: profile.CodeInvalidPhone},
		{name: "no plus", in: "02079460018", wantCode: profile.CodeInvalidPhone},
		{name: "international prefix", in: "0044 20 7946 0018", wantCode: profile.CodeInvalidPhone},
		{name: "digits without plus", in: "442079460018", wantCode: profile.CodeInvalidPhone},
		{name: "plus only", in: "+", wantCode: profile.CodeInvalidPhone},
		{name: "one digit short", in: "+44 20 7946 001", wantCode: profile.CodeInvalidPhone},
		{name: "one digit long", in: "+44 20 7946 00188", wantCode: profile.CodeInvalidPhone},
		{name: "unknown country", in: "+999 1234 5678", wantCode: profile.CodeInvalidPhone},
		// libphonenumber (nyaruka/phonenumbers v1.8.1) maps letters to keypad
		// digits when a number has three or more, and it drops an extension,
		// so it accepts these two on its own.
		{name: "letters", in: "+44 20 7946 ABCD", wantCode: profile.CodeInvalidPhone},
		{name: "extension", in: "+44 20 7946 0018 ext 123", wantCode: profile.CodeInvalidPhone},
		{name: "letter o for zero", in: "+44 20 7946 O018", wantCode: profile.CodeInvalidPhone},
		{name: "tel uri", in: "tel:+44-20-7946-0018", wantCode: profile.CodeInvalidPhone},
		{name: "plus in brackets", in: "(+44) 20 7946 0018", wantCode: profile.CodeInvalidPhone},
		{name: "over 64 characters", in: "+44" + strings.Repeat(" ", 60) + "20 7946 0018", wantCode: profile.CodeInvalidPhone},
	}
	runFieldCases(t, "phone_number", tests)
}

func TestNormalizeURL(t *testing.T) {
	prefix := "https://images.example.com/"
	url2048 := prefix + strings.Repeat("a", 2048-len(prefix))
	// "é" is one character and two octets, so this URL is 2,048 characters
	// and over 4,000 octets.
	url2048Wide := prefix + strings.Repeat("é", 2048-len(prefix))

	tests := []fieldCase{
		{name: "plain", in: "https://images.example.com/ada.png", want: "https://images.example.com/ada.png"},
		{name: "trimmed", in: " https://www.example.com/ ", want: "https://www.example.com/"},
		{name: "no path", in: "https://www.example.com", want: "https://www.example.com"},
		{name: "query and fragment", in: "https://www.example.com/a?b=c#d", want: "https://www.example.com/a?b=c#d"},
		{name: "port", in: "https://www.example.com:8443/", want: "https://www.example.com:8443/"},
		{name: "ipv6 host", in: "https://[2001:db8::1]/", want: "https://[2001:db8::1]/"},
		{name: "kept as sent", in: "https://www.example.com/A%20B", want: "https://www.example.com/A%20B"},
		{name: "2048 characters", in: url2048, want: url2048},
		{name: "2048 wide characters", in: url2048Wide, want: url2048Wide},

		{name: "2049 characters", in: url2048 + "a", wantCode: profile.CodeTooLong},
		{name: "2049 wide characters", in: url2048Wide + "é", wantCode: profile.CodeTooLong},
		{name: "http", in: "http://images.example.com/ada.png", wantCode: profile.CodeInvalidURL},
		{name: "ftp", in: "ftp://files.example.com/ada.png", wantCode: profile.CodeInvalidURL},
		{name: "javascript", in: "javascript:alert(1)", wantCode: profile.CodeInvalidURL},
		{name: "data", in: "data:image/png;base64,iVBORw0KGgo=", wantCode: profile.CodeInvalidURL},
		{name: "user and password", in: "https://ada:secret@www.example.com/", wantCode: profile.CodeInvalidURL},
		{name: "user only", in: "https://ada@www.example.com/", wantCode: profile.CodeInvalidURL},
		{name: "empty user info", in: "https://@www.example.com/", wantCode: profile.CodeInvalidURL},
		{name: "relative path", in: "/ada.png", wantCode: profile.CodeInvalidURL},
		{name: "no scheme", in: "images.example.com/ada.png", wantCode: profile.CodeInvalidURL},
		{name: "scheme relative", in: "//images.example.com/ada.png", wantCode: profile.CodeInvalidURL},
		{name: "no host", in: "https:///ada.png", wantCode: profile.CodeInvalidURL},
		{name: "scheme only", in: "https://", wantCode: profile.CodeInvalidURL},
		{name: "opaque", in: "https:ada.png", wantCode: profile.CodeInvalidURL},
		{name: "port without host", in: "https://:443/", wantCode: profile.CodeInvalidURL},
		{name: "space in path", in: "https://images.example.com/ada 1.png", wantCode: profile.CodeInvalidURL},
		{name: "space in host", in: "https://images example.com/", wantCode: profile.CodeInvalidURL},
		{name: "bad escape", in: "https://www.example.com/%zz", wantCode: profile.CodeInvalidURL},
		{name: "bad port", in: "https://www.example.com:abc/", wantCode: profile.CodeInvalidURL},
	}
	for _, field := range []string{"picture", "website"} {
		t.Run(field, func(t *testing.T) {
			runFieldCases(t, field, tests)
		})
	}
}

func TestNormalizeLocale(t *testing.T) {
	tests := []fieldCase{
		{name: "canonical", in: "en-GB", want: "en-GB"},
		{name: "lowercase region", in: "en-gb", want: "en-GB"},
		{name: "uppercase language", in: "EN-gb", want: "en-GB"},
		{name: "language only", in: "fr", want: "fr"},
		{name: "script and region", in: "zh-hant-tw", want: "zh-Hant-TW"},
		{name: "serbian latin", in: "sr-latn-rs", want: "sr-Latn-RS"},
		{name: "trimmed", in: " de-DE ", want: "de-DE"},

		{name: "words", in: "not a locale", wantCode: profile.CodeInvalidTag},
		{name: "language name", in: "english", wantCode: profile.CodeInvalidTag},
		{name: "digits", in: "12", wantCode: profile.CodeInvalidTag},
		{name: "one letter", in: "e", wantCode: profile.CodeInvalidTag},
		{name: "trailing hyphen", in: "en-", wantCode: profile.CodeInvalidTag},
		{name: "leading hyphen", in: "-en", wantCode: profile.CodeInvalidTag},
		{name: "double hyphen", in: "en--GB", wantCode: profile.CodeInvalidTag},
		{name: "posix locale", in: "C", wantCode: profile.CodeInvalidTag},
		{name: "long subtag", in: "en-toolongsubtag", wantCode: profile.CodeInvalidTag},
		{name: "private use", in: "en-GB-x-abcdefgh", want: "en-GB-x-abcdefgh"},
		{name: "over 64 octets", in: "en-GB-x-" + strings.Repeat("abcdefgh-", 7) + "a", wantCode: profile.CodeInvalidTag},
	}
	runFieldCases(t, "locale", tests)
}

func TestNormalizeZoneinfo(t *testing.T) {
	tests := []fieldCase{
		{name: "two parts", in: "Europe/Paris", want: "Europe/Paris"},
		{name: "three parts", in: "America/Argentina/Buenos_Aires", want: "America/Argentina/Buenos_Aires"},
		{name: "hyphen", in: "America/Port-au-Prince", want: "America/Port-au-Prince"},
		{name: "plus sign", in: "Etc/GMT+5", want: "Etc/GMT+5"},
		{name: "utc", in: "UTC", want: "UTC"},
		{name: "trimmed", in: " Europe/London ", want: "Europe/London"},

		{name: "go local", in: "Local", wantCode: profile.CodeInvalidZone},
		{name: "posix copy", in: "posix/Europe/Paris", wantCode: profile.CodeInvalidZone},
		{name: "right copy", in: "right/Europe/Paris", wantCode: profile.CodeInvalidZone},
		{name: "posixrules", in: "posixrules", wantCode: profile.CodeInvalidZone},
		{name: "path traversal", in: "../etc/passwd", wantCode: profile.CodeInvalidZone},
		{name: "traversal inside", in: "Europe/../Europe/Paris", wantCode: profile.CodeInvalidZone},
		{name: "dot segment", in: "Europe/./Paris", wantCode: profile.CodeInvalidZone},
		{name: "double slash", in: "Europe//Paris", wantCode: profile.CodeInvalidZone},
		{name: "absolute path", in: "/etc/localtime", wantCode: profile.CodeInvalidZone},
		{name: "backslash", in: `Europe\Paris`, wantCode: profile.CodeInvalidZone},
		{name: "trailing slash", in: "Europe/Paris/", wantCode: profile.CodeInvalidZone},
		{name: "table file", in: "zone1970.tab", wantCode: profile.CodeInvalidZone},
		{name: "not a zone", in: "Mars/Olympus", wantCode: profile.CodeInvalidZone},
		{name: "unknown etc", in: "Etc/Unknown", wantCode: profile.CodeInvalidZone},
		{name: "lowercase", in: "europe/paris", wantCode: profile.CodeInvalidZone},
		{name: "uppercase", in: "EUROPE/PARIS", wantCode: profile.CodeInvalidZone},
		{name: "offset", in: "+01:00", wantCode: profile.CodeInvalidZone},
		{name: "long name", in: "Europe/" + strings.Repeat("A", 60), wantCode: profile.CodeInvalidZone},
	}
	runFieldCases(t, "zoneinfo", tests)
}
