#include "mail/uudecode.h"

#include <string.h>

/* A line [s, s+n) that starts a block: "begin NNN name". */
static bool begin_line(const char *s, size_t n, const char **name, size_t *name_len)
{
	if (n < 10 || memcmp(s, "begin ", 6) != 0)
		return false;
	size_t i = 6;
	size_t digits = 0;
	while (i < n && s[i] >= '0' && s[i] <= '7')
		i++, digits++;
	if (digits < 3 || digits > 4 || i >= n || s[i] != ' ')
		return false;
	i++;
	*name = s + i;
	*name_len = n - i;
	while (*name_len && ((*name)[*name_len - 1] == '\r' || (*name)[*name_len - 1] == ' '))
		(*name_len)--;
	return *name_len > 0;
}

static unsigned char uu_value(char c)
{
	return (unsigned char)((c - ' ') & 0x3F);
}

bool uudecode_find(arena *a, const char *text, size_t len, size_t from, struct uudecode_block *out)
{
	for (size_t i = from; i < len;) {
		const char *nl = memchr(text + i, '\n', len - i);
		size_t line_end = nl ? (size_t)(nl - text) : len;
		const char *name;
		size_t name_len;
		if ((i == 0 || text[i - 1] == '\n') &&
		    begin_line(text + i, line_end - i, &name, &name_len)) {
			/* Decode up to "end"; the data is at most 3/4 of the block. */
			size_t cap = len - line_end;
			unsigned char *data = arena_alloc(a, cap + 1);
			if (!data)
				return false;
			size_t n = 0;
			bool ended = false;
			size_t j = nl ? line_end + 1 : len;
			while (j < len) {
				const char *e = memchr(text + j, '\n', len - j);
				size_t le = e ? (size_t)(e - text) : len;
				size_t ll = le - j;
				while (ll && text[j + ll - 1] == '\r')
					ll--;
				if (ll == 3 && memcmp(text + j, "end", 3) == 0) {
					ended = true;
					j = e ? le + 1 : len;
					break;
				}
				if (ll > 0) {
					size_t count = uu_value(text[j]);
					const char *p = text + j + 1;
					size_t avail = ll - 1;
					for (size_t k = 0; k + 4 <= avail + 3 && count > 0;
					     k += 4) {
						char c[4];
						for (int q = 0; q < 4; q++)
							c[q] = k + (size_t)q < avail
							           ? p[k + (size_t)q]
							           : '`';
						unsigned char b[3] = {
						    (unsigned char)(uu_value(c[0]) << 2 |
						                    uu_value(c[1]) >> 4),
						    (unsigned char)(uu_value(c[1]) << 4 |
						                    uu_value(c[2]) >> 2),
						    (unsigned char)(uu_value(c[2]) << 6 |
						                    uu_value(c[3])),
						};
						for (int q = 0; q < 3 && count > 0 && n < cap;
						     q++, count--)
							data[n++] = b[q];
					}
				}
				j = e ? le + 1 : len;
			}
			if (ended) {
				*out = (struct uudecode_block){
				    .start = i,
				    .end = j,
				    .name = arena_strndup(a, name, name_len),
				    .data = data,
				    .len = n,
				};
				return out->name != NULL;
			}
			/* No "end" up to the end of the text: no later block has one. */
			return false;
		}
		i = nl ? line_end + 1 : len;
	}
	return false;
}
