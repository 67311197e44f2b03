#include "http/request.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <microhttpd.h>
#include <string.h>
#include <time.h>

static error_page_fn error_page;

int64_t now_us(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

const char *req_header(const struct request *req, const char *name)
{
	return MHD_lookup_connection_value(req->conn, MHD_HEADER_KIND, name);
}

const char *req_cookie(const struct request *req, const char *name)
{
	return MHD_lookup_connection_value(req->conn, MHD_COOKIE_KIND, name);
}

const char *req_query(const struct request *req, const char *name)
{
	return kv_get(&req->query, name);
}

const char *req_form(const struct request *req, const char *name)
{
	return kv_get(&req->form, name);
}

const char *req_param(const struct request *req, const char *name)
{
	for (int i = 0; i < req->route.nparams; i++) {
		const char *n = req->route.names[i];
		size_t len = strcspn(n, "/");
		if (strlen(name) == len && memcmp(n, name, len) == 0)
			return req->route.values[i];
	}
	return NULL;
}

const char *req_client_ip(struct request *req)
{
	const union MHD_ConnectionInfo *info =
		MHD_get_connection_info(req->conn, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
	if (!info || !info->client_addr)
		return "";
	char text[INET6_ADDRSTRLEN] = "";
	const struct sockaddr *sa = info->client_addr;
	if (sa->sa_family == AF_INET)
		inet_ntop(AF_INET, &((const struct sockaddr_in *)(const void *)sa)->sin_addr, text, sizeof text);
	else if (sa->sa_family == AF_INET6)
		inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)(const void *)sa)->sin6_addr, text, sizeof text);
	const char *copy = arena_strdup(req->arena, text);
	return copy ? copy : "";
}

void resp_header(struct request *req, const char *name, const char *value)
{
	struct header *h = arena_alloc(req->arena, sizeof *h);
	if (!h)
		return;
	h->name = name;
	h->value = value;
	h->next = req->headers;
	req->headers = h;
}

void resp_cookie(struct request *req, const char *name, const char *value, long max_age,
                 bool secure)
{
	char age[40] = "";
	if (max_age >= 0)
		snprintf(age, sizeof age, "; Max-Age=%ld", max_age);
	const char *line = arena_printf(req->arena, "%s=%s; Path=/%s; HttpOnly; SameSite=Lax%s", name,
	                                value, age, secure ? "; Secure" : "");
	if (line)
		resp_header(req, MHD_HTTP_HEADER_SET_COOKIE, line);
}

void resp_text(struct request *req, int status, const char *content_type, const char *text)
{
	req->status = status;
	req->content_type = content_type;
	buf_clear(&req->body);
	buf_puts(&req->body, text);
	req->responded = true;
}

void resp_redirect(struct request *req, int status, const char *location)
{
	req->status = status;
	resp_header(req, MHD_HTTP_HEADER_LOCATION, location);
	req->content_type = "text/plain; charset=utf-8";
	buf_clear(&req->body);
	req->responded = true;
}

void resp_set_error_page(error_page_fn fn)
{
	error_page = fn;
}

void resp_error(struct request *req, int status)
{
	buf_clear(&req->body);
	req->static_body = NULL;
	if (error_page) {
		error_page(req, status);
		if (req->responded && req->status == status)
			return;
	}
	resp_text(req, status, "text/plain; charset=utf-8", "Error\n");
}
