/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The known multi-line text that the console tests send from a guest and
 * compare on the host. Shared by the test driver, the Linux guest's init
 * and the bare-metal guest, so it uses no library at all.
 *
 * Lines differ in length (24 to 223 characters besides their prefix) and
 * content, so a lost, doubled, reordered or truncated piece shows. The
 * whole text is about 6 KiB: more than one page, more than one DBCN call.
 */
#ifndef SBI_VMM_TEST_TEXT_H
#define SBI_VMM_TEST_TEXT_H

#define TEXT_LINES	48
#define TEXT_LINE_MAX	256
#define TEXT_BEGIN	"--- text begin ---\n"
#define TEXT_END	"--- text end ---\n"
/* The tail test's last bytes, after the text: a line without a newline. */
#define TEXT_TAIL	"--- the last line, written just before power-off, no newline ---"

/* Line @i (0-based) with its newline into @buf; returns its length. */
static inline unsigned int test_text_line(unsigned int i, char *buf)
{
	unsigned int len = 24 + (i * 53) % 200, n = 0, k;

	buf[n++] = 'L';
	buf[n++] = '0' + (i / 10) % 10;
	buf[n++] = '0' + i % 10;
	buf[n++] = ':';
	buf[n++] = ' ';
	for (k = 0; k < len; k++)
		buf[n++] = 'a' + (i * 7 + k) % 26;
	buf[n++] = '\n';
	return n;
}

#endif /* SBI_VMM_TEST_TEXT_H */
