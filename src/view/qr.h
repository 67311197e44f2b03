/* QR codes drawn as inline SVG (libqrencode computes the modules), so the
 * two-factor set-up page needs no image request and no JavaScript. */
#ifndef CHAMADO_QR_H
#define CHAMADO_QR_H

#include "base/buf.h"

/* Appends an <svg> of text as a QR code (error correction M, a quiet zone
 * of four modules, black on white) with label as its accessible name
 * (escaped). 0, or -1 when the text does not fit a QR code or out of
 * memory. */
int qr_svg(const char *text, const char *label, buf *out);

#endif
