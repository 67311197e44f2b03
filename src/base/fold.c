#include "base/fold.h"

#include <stdint.h>
#include <string.h>

/* U+00C0..U+017F (Latin-1 letters and Latin Extended-A) without their
 * accents, lowercase; " " for × and ÷. */
static const char *const latin[] = {
	"a", "a", "a", "a", "a", "a", "ae", "c", "e", "e", "e", "e", "i", "i", "i", "i",
	"d", "n", "o", "o", "o", "o", "o", " ", "o", "u", "u", "u", "u", "y", "th", "ss",
	"a", "a", "a", "a", "a", "a", "ae", "c", "e", "e", "e", "e", "i", "i", "i", "i",
	"d", "n", "o", "o", "o", "o", "o", " ", "o", "u", "u", "u", "u", "y", "th", "y",
	"a", "a", "a", "a", "a", "a", "c", "c", "c", "c", "c", "c", "c", "c", "d", "d",
	"d", "d", "e", "e", "e", "e", "e", "e", "e", "e", "e", "e", "g", "g", "g", "g",
	"g", "g", "g", "g", "h", "h", "h", "h", "i", "i", "i", "i", "i", "i", "i", "i",
	"i", "i", "ij", "ij", "j", "j", "k", "k", "k", "l", "l", "l", "l", "l", "l", "l",
	"l", "l", "l", "n", "n", "n", "n", "n", "n", "n", "n", "n", "o", "o", "o", "o",
	"o", "o", "oe", "oe", "r", "r", "r", "r", "r", "r", "s", "s", "s", "s", "s", "s",
	"s", "s", "t", "t", "t", "t", "t", "t", "u", "u", "u", "u", "u", "u", "u", "u",
	"u", "u", "u", "u", "w", "w", "y", "y", "y", "z", "z", "z", "z", "z", "z", "s",
};

/* Decodes one UTF-8 sequence at s (n bytes left); returns its length, or 0
 * when it is not valid UTF-8 (then *cp is untouched). */
static size_t utf8_decode(const unsigned char *s, size_t n, uint32_t *cp)
{
	if (s[0] < 0x80) {
		*cp = s[0];
		return 1;
	}
	size_t len = s[0] >= 0xF0 && s[0] <= 0xF4 ? 4 : s[0] >= 0xE0 ? 3 : s[0] >= 0xC2 && s[0] < 0xE0 ? 2 : 0;
	if (s[0] >= 0xF5)
		len = 0;
	if (len == 0 || len > n)
		return 0;
	uint32_t v = s[0] & (0xFF >> (len + 1));
	for (size_t i = 1; i < len; i++) {
		if ((s[i] & 0xC0) != 0x80)
			return 0;
		v = v << 6 | (s[i] & 0x3F);
	}
	/* Overlong forms, surrogates and values past U+10FFFF. */
	if ((len == 3 && v < 0x800) || (len == 4 && (v < 0x10000 || v > 0x10FFFF)) ||
	    (v >= 0xD800 && v <= 0xDFFF))
		return 0;
	*cp = v;
	return len;
}

/* Spaces and punctuation outside ASCII: Latin-1's (NBSP, «, », ¿…), the
 * General Punctuation block (dashes, quotes, …) and CJK punctuation. */
static int is_separator(uint32_t cp)
{
	return (cp >= 0x80 && cp <= 0xBF) || (cp >= 0x2000 && cp <= 0x206F) ||
	       (cp >= 0x3000 && cp <= 0x303F) || cp == 0xFEFF || cp == 0xFFFD;
}

static int put_separator(buf *b)
{
	if (b->len == 0 || b->data[b->len - 1] == ' ')
		return BUF_OK;
	return buf_putc(b, ' ');
}

int fold_search_append(buf *b, const char *text)
{
	const unsigned char *s = (const unsigned char *)(text ? text : "");
	size_t n = strlen((const char *)s);
	int rc = put_separator(b);
	for (size_t i = 0; i < n && rc == BUF_OK;) {
		uint32_t cp = 0;
		size_t len = utf8_decode(s + i, n - i, &cp);
		if (len == 0) {
			rc = put_separator(b);
			i++;
			continue;
		}
		if (cp < 0x80) {
			if ((cp >= 'a' && cp <= 'z') || (cp >= '0' && cp <= '9'))
				rc = buf_putc(b, (char)cp);
			else if (cp >= 'A' && cp <= 'Z')
				rc = buf_putc(b, (char)(cp - 'A' + 'a'));
			else
				rc = put_separator(b);
		} else if (cp >= 0xC0 && cp <= 0x17F) {
			const char *base = latin[cp - 0xC0];
			rc = base[0] == ' ' ? put_separator(b) : buf_puts(b, base);
		} else if (is_separator(cp)) {
			rc = put_separator(b);
		} else {
			rc = buf_append(b, s + i, len);
		}
		i += len;
	}
	return rc;
}
