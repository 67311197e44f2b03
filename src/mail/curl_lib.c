#include "mail/curl_lib.h"

struct curl_functions libcurl;

static const char *const names[] = {CURL_FUNCTIONS(DYNLIB_NAME)};

DYNLIB_TABLE_CHECK(libcurl, names);

static void global_init(void)
{
	libcurl.curl_global_init(CURL_GLOBAL_DEFAULT);
}

static struct dynlib loader = DYNLIB_INIT_READY("libcurl.so.4", names, libcurl, global_init);

int curl_lib_load(char *err, size_t errlen)
{
	return dynlib_load(&loader, err, errlen);
}
