/* Libraries opened when first needed (base/dynlib.c). */
#include <criterion/criterion.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <zlib.h>

#include "base/dynlib.h"
#include "mail/curl_lib.h"

#define Z_FUNCTIONS(X) X(crc32) X(zlibVersion)
static struct {
	Z_FUNCTIONS(DYNLIB_FIELD)
} z;
static const char *const z_names[] = {Z_FUNCTIONS(DYNLIB_NAME)};
static struct dynlib z_loader = DYNLIB_INIT("libz.so.1", z_names, z);

Test(dynlib, binds_each_function_of_the_library_once)
{
	char err[256] = "";
	cr_assert_eq(dynlib_load(&z_loader, err, sizeof err), 0, "%s", err);
	const char *digits = "123456789";
	/* The check value every CRC-32 implementation is tested against. */
	cr_assert_eq(z.crc32(0, (const Bytef *)digits, 9), 0xCBF43926u);
	cr_assert_str_eq(z.zlibVersion(), zlibVersion());
	void *first = (void *)z.crc32;
	cr_assert_eq(dynlib_load(&z_loader, NULL, 0), 0);
	cr_assert_eq((void *)z.crc32, first);
}

static struct {
	void (*missing)(void);
} none;
static const char *const none_names[] = {"chamado_no_such_function"};

Test(dynlib, a_missing_library_or_function_is_named_and_stays_missing)
{
	static struct dynlib absent = DYNLIB_INIT("libchamado-absent.so.9", none_names, none);
	char err[256] = "";
	cr_assert_eq(dynlib_load(&absent, err, sizeof err), -1);
	cr_assert(strstr(err, "cannot load libchamado-absent.so.9"), "%s", err);
	err[0] = '\0';
	cr_assert_eq(dynlib_load(&absent, err, sizeof err), -1, "the answer is kept");
	cr_assert(strstr(err, "libchamado-absent.so.9"), "%s", err);

	static struct dynlib no_function = DYNLIB_INIT("libz.so.1", none_names, none);
	cr_assert_eq(dynlib_load(&no_function, err, sizeof err), -1);
	cr_assert_str_eq(err, "libz.so.1 has no chamado_no_such_function");
	cr_assert_eq(dynlib_load(&no_function, NULL, 0), -1);
}

static bool mapped(const char *name)
{
	FILE *f = fopen("/proc/self/maps", "r");
	cr_assert_not_null(f);
	char line[512];
	bool found = false;
	while (!found && fgets(line, sizeof line, f))
		found = strstr(line, name) != NULL;
	fclose(f);
	return found;
}

/* What the feature libraries save: a server on SQLite that writes .eml
 * files and gets no HTML email maps none of them (nor what they bring). */
Test(dynlib, libpq_libcurl_and_libxml2_are_not_mapped_until_a_feature_needs_them)
{
	cr_assert_not(mapped("/libpq.so"));
	cr_assert_not(mapped("/libcurl"));
	cr_assert_not(mapped("/libxml2.so"));
	cr_assert_not(mapped("/libssl.so"), "libpq's and libcurl's TLS library");
	char err[256] = "";
	cr_assert_eq(curl_lib_load(err, sizeof err), 0, "%s", err);
	cr_assert(mapped("/libcurl"));
	cr_assert_not_null(libcurl.curl_easy_strerror(CURLE_OK));
}
