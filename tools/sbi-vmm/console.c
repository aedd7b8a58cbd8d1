// SPDX-License-Identifier: GPL-2.0
/*
 * The guest console on the host terminal: guest output to stdout, line
 * buffered; guest input from stdin, never blocking (a guest polling for a
 * character gets "nothing" at once rather than a stalled vCPU).
 *
 * The VMM's own messages go to stderr; before each one, guest output
 * still buffered goes out (console__end_line()), so that a user sees
 * everything in the order it happened, the guest's last partial line
 * before "the guest shut down".
 *
 * When stdin is a terminal it loses canonical mode and echo for the run, so
 * keys reach the guest one by one and the guest echoes them; Ctrl-C still
 * stops the VMM.
 */
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <termios.h>
#include <unistd.h>

#include "vmm.h"

static pthread_mutex_t input_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t input_taken = PTHREAD_COND_INITIALIZER;
static struct termios saved_tty;
static bool input_closed;
static int peeked = -1;		/* a byte read by console__has_input() */
static bool mid_line;		/* guest output does not end in a newline */

static void restore_tty(void)
{
	tcsetattr(STDIN_FILENO, TCSANOW, &saved_tty);
}

/**
 * console__init() - prepare stdin and stdout for the guest console
 *
 * Context: before any vCPU runs.
 */
void console__init(void)
{
	struct termios raw;

	setvbuf(stdout, NULL, _IOLBF, 0);
	if (!isatty(STDIN_FILENO) || tcgetattr(STDIN_FILENO, &saved_tty))
		return;
	raw = saved_tty;
	raw.c_lflag &= ~(ICANON | ECHO);
	raw.c_iflag &= ~(ICRNL | IXON);
	if (!tcsetattr(STDIN_FILENO, TCSANOW, &raw))
		atexit(restore_tty);
}

/**
 * console__write() - guest output
 * @buf:	bytes, from guest memory or a register
 * @len:	how many
 *
 * Context: any vCPU thread; stdio keeps concurrent writes whole.
 */
void console__write(const void *buf, size_t len)
{
	if (!len)
		return;
	flockfile(stdout);
	fwrite(buf, 1, len, stdout);
	mid_line = ((const char *)buf)[len - 1] != '\n';
	funlockfile(stdout);
}

/**
 * console__flush() - show a partial line of guest output now
 *
 * Guest output goes out a line at a time. A guest that asks for input has
 * often printed a prompt without a newline, so reads flush first, and so
 * does a device that the guest polls while idle.
 */
void console__flush(void)
{
	fflush(stdout);
}

/**
 * console__end_line() - put out guest output before a message of the VMM's
 *
 * Context: any thread; called for every message (main.c).
 * Return: true if that output ended inside a line: the message should
 * start on a new one.
 */
bool console__end_line(void)
{
	bool ret;

	console_ring__drain();
	flockfile(stdout);
	fflush(stdout);
	ret = mid_line;
	mid_line = false;
	funlockfile(stdout);
	return ret;
}

/* One byte of input if there is one now; -1 if none. Lock held. */
static int read_byte(void)
{
	struct pollfd pfd = { .fd = STDIN_FILENO, .events = POLLIN };
	unsigned char c;
	ssize_t n;

	if (peeked >= 0) {
		c = peeked;
		peeked = -1;
		pthread_cond_broadcast(&input_taken);
		return c;
	}
	if (input_closed || poll(&pfd, 1, 0) <= 0)
		return -1;
	n = read(STDIN_FILENO, &c, 1);
	if (n == 1)
		return c;
	if (n == 0 || (errno != EAGAIN && errno != EINTR))
		input_closed = true;	/* EOF or error: no more input, ever */
	return -1;
}

/**
 * console__read() - guest input, without waiting
 * @buf:	where to put it
 * @len:	at most this many bytes
 *
 * Return: bytes read, 0 when none is pending (or stdin is closed).
 */
size_t console__read(void *buf, size_t len)
{
	unsigned char *p = buf;
	size_t n = 0;
	int c;

	console__flush();
	pthread_mutex_lock(&input_lock);
	while (n < len && (c = read_byte()) >= 0)
		p[n++] = c;
	pthread_mutex_unlock(&input_lock);
	return n;
}

/**
 * console__has_input() - is a byte of input pending?
 *
 * Return: true if the next console__read() returns at least one byte.
 */
bool console__has_input(void)
{
	bool ret;

	pthread_mutex_lock(&input_lock);
	peeked = read_byte();
	ret = peeked >= 0;
	pthread_mutex_unlock(&input_lock);
	return ret;
}

/**
 * console__input_pending() - is input pending, without taking any?
 *
 * Return: true if a byte was peeked or stdin has one now.
 */
bool console__input_pending(void)
{
	struct pollfd pfd = { .fd = STDIN_FILENO, .events = POLLIN };
	bool ret;

	pthread_mutex_lock(&input_lock);
	ret = peeked >= 0 || (!input_closed && poll(&pfd, 1, 0) > 0);
	pthread_mutex_unlock(&input_lock);
	return ret;
}

/**
 * struct input_watch - who wants to know that input arrived
 * @fn:		called without console locks held
 * @arg:	its argument
 */
struct input_watch {
	void (*fn)(void *arg);
	void *arg;
};

/*
 * Wait for stdin to have a byte, peek it, tell the device, and wait for the
 * guest to take it before looking again: one wakeup per byte, no spinning.
 * Ends at EOF or a read error.
 */
static void *watch_input(void *arg)
{
	struct pollfd pfd = { .fd = STDIN_FILENO, .events = POLLIN };
	struct input_watch *w = arg;
	bool closed;

	for (;;) {
		pthread_mutex_lock(&input_lock);
		while (peeked >= 0)
			pthread_cond_wait(&input_taken, &input_lock);
		closed = input_closed;
		pthread_mutex_unlock(&input_lock);
		if (closed)
			return NULL;
		if (poll(&pfd, 1, -1) < 0 && errno != EINTR)
			return NULL;
		if (console__has_input())
			w->fn(w->arg);
	}
}

/**
 * console__watch_input() - call @fn whenever input arrives
 * @fn:		called from a thread of the console's, once per byte that
 *		becomes pending (console__has_input() is then true)
 * @arg:	for @fn
 *
 * For a device that interrupts the guest on input rather than being
 * polled. The thread blocks every signal: the VMM's signals are for the
 * main and vCPU threads.
 *
 * Return: 0, or -1 after saying why.
 */
int console__watch_input(void (*fn)(void *arg), void *arg)
{
	struct input_watch *w = malloc(sizeof(*w));
	sigset_t all, old;
	pthread_t thread;
	int err;

	if (!w)
		return pr_errno("console: malloc");
	*w = (struct input_watch){ fn, arg };
	sigfillset(&all);
	pthread_sigmask(SIG_BLOCK, &all, &old);
	err = pthread_create(&thread, NULL, watch_input, w);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (err) {
		free(w);
		errno = err;
		return pr_errno("console: pthread_create");
	}
	pthread_detach(thread);
	return 0;
}
