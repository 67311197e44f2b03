#include "view/qr.h"

#include <qrencode.h>
#include <string.h>

enum { QUIET_ZONE = 4 };

int qr_svg(const char *text, const char *label, buf *out)
{
	QRcode *qr = QRcode_encodeString(text, 0, QR_ECLEVEL_M, QR_MODE_8, 1);
	if (!qr)
		return -1;
	int size = qr->width + 2 * QUIET_ZONE;
	/* One path of unit squares: small, and crisp at any zoom. */
	int rc = buf_printf(out,
	                    "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"qr\" viewBox=\"0 0 %d %d\" "
	                    "width=\"%d\" height=\"%d\" role=\"img\" aria-label=\"",
	                    size, size, size * 5, size * 5);
	if (rc == 0)
		rc = buf_put_html(out, label, strlen(label));
	if (rc == 0)
		rc = buf_printf(out, "\" shape-rendering=\"crispEdges\"><rect width=\"%d\" height=\"%d\" "
		                     "fill=\"#fff\"/><path fill=\"#000\" d=\"", size, size);
	for (int y = 0; y < qr->width && rc == 0; y++)
		for (int x = 0; x < qr->width && rc == 0; x++)
			if (qr->data[y * qr->width + x] & 1)
				rc = buf_printf(out, "M%d %dh1v1h-1z", x + QUIET_ZONE, y + QUIET_ZONE);
	if (rc == 0)
		rc = buf_puts(out, "\"/></svg>");
	QRcode_free(qr);
	return rc < 0 ? -1 : 0;
}
