/*
 * uart.c — a 16550 UART, the board's console (as QEMU virt's, at
 * BOARD_UART_BASE, one byte per register). What the guest transmits goes
 * to the console's output at once; received bytes come from its input
 * when the guest looks for them (LSR, RBR) and every 10 ms. Interrupts
 * (to the PLIC, source BOARD_UART_IRQ): received data, and the
 * transmitter empty, as IER enables them. Ctrl-A x on the input ends the run.
 * Reference: the National Semiconductor PC16550D data sheet.
 */
#include "sys/board.h"
#include "snap/format.h"

#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <unistd.h>

#define LCR_DLAB 0x80
#define LSR_DR   0x01     /* a received byte waits in RBR */
#define LSR_THRE 0x20     /* the transmit holding register is empty */
#define LSR_TEMT 0x40     /* and so is the transmitter */

#define RX_RING 1024      /* received bytes the guest has not read yet */

struct uart {
    struct board_dev dev;
    int in, out;
    uint8_t ier, lcr, mcr, scr, dll, dlm, fcr;
    uint8_t rx[RX_RING];
    unsigned rx_head, rx_count;
    bool in_closed, escaped;
    bool thr_ipending;    /* the transmitter-empty interrupt is owed */
    bool monitor;         /* the keyboard goes to the monitor (Ctrl-A c) */
    char line[128];       /* the monitor's line as typed */
    unsigned line_len;
    bool line_ready;      /* complete: it runs at the next poll */
    uint8_t pend[64];     /* read from the host, not yet taken */
    unsigned pend_at, pend_len;
};

#define IER_RDA  0x01     /* interrupt when a received byte waits */
#define IER_THRE 0x02     /* interrupt when the transmit register is empty */

/* The interrupt line (to the PLIC), from what is owed and enabled. */
static void update_irq(struct uart *u)
{
    bool up = ((u->ier & IER_RDA) && u->rx_count) || ((u->ier & IER_THRE) && u->thr_ipending);
    board_irq(u->dev.board, BOARD_UART_IRQ, up);
}

/* The console's escape key, as QEMU's: Ctrl-A x quits, Ctrl-A c turns
 * the monitor prompt on or off (sys/monitor.c), Ctrl-A Ctrl-A sends one
 * Ctrl-A to the guest; other keys after Ctrl-A are dropped. */
#define ESCAPE 0x01

static void rx_push(struct uart *u, uint8_t c)
{
    if (u->rx_count < RX_RING)
        u->rx[(u->rx_head + u->rx_count++) % RX_RING] = c;
}

/* Takes what the console's input has (without waiting), as far as the
 * ring has room: when the guest reads, and between the hart's runs (so
 * that Ctrl-A x works whatever the guest does). */
static void take_input(struct uart *u);

static void uart_poll(struct board_dev *d)
{
    struct uart *u = (struct uart *)d;
    take_input(u);
    if (u->line_ready) {
        u->line[u->line_len] = 0;
        u->line_ready = false;
        u->line_len = 0;
        monitor_run(d->board, u->line);
    }
    update_irq(u);
}

/* A key for the monitor's line: gathered, echoed, run at the next poll. */
static void monitor_key(struct uart *u, uint8_t c)
{
    if (u->line_ready)
        return;      /* (typed ahead of the last line's run: dropped) */
    if (c == '\r' || c == '\n') {
        monitor_echo(u->dev.board, "\r\n", 2);
        u->line_ready = true;
    } else if ((c == 0x7f || c == 0x08) && u->line_len) {
        u->line_len--;
        monitor_echo(u->dev.board, "\b \b", 3);
    } else if (c >= 0x20 && c < 0x7f && u->line_len + 1 < sizeof u->line) {
        u->line[u->line_len++] = (char)c;
        monitor_echo(u->dev.board, (char *)&c, 1);
    }
}

static void take_input(struct uart *u)
{
    struct board_dev *d = &u->dev;
    for (;;) {
        /* What was read and not yet taken first: a monitor line waiting
         * to run holds back the keys typed after it. */
        while (u->pend_at < u->pend_len && u->rx_count < RX_RING && !u->line_ready) {
            uint8_t c = u->pend[u->pend_at++];
            if (u->escaped) {
                u->escaped = false;
                if (c == 'x') {
                    board_end(d->board, BOARD_QUIT, 0);
                    return;
                }
                if (c == 'c') {
                    u->monitor = !u->monitor;
                    monitor_prompt(d->board, u->monitor);
                } else if (c == ESCAPE) {
                    rx_push(u, c);
                }
            } else if (c == ESCAPE) {
                u->escaped = true;
            } else if (u->monitor) {
                monitor_key(u, c);
            } else {
                rx_push(u, c);
            }
        }
        if (u->pend_at < u->pend_len || u->in < 0 || u->in_closed)
            return;
        struct pollfd p = { .fd = u->in, .events = POLLIN };
        if (poll(&p, 1, 0) != 1)
            return;
        ssize_t n = read(u->in, u->pend, sizeof u->pend);
        if (n <= 0) {
            if (n == 0 || (errno != EINTR && errno != EAGAIN))
                u->in_closed = true;
            continue;
        }
        u->pend_at = 0;
        u->pend_len = (unsigned)n;
    }
}

static int uart_read(struct board_dev *d, uint64_t off, unsigned len, uint64_t *val)
{
    struct uart *u = (struct uart *)d;
    if (len != 1)
        return -1;
    bool dlab = u->lcr & LCR_DLAB;
    switch (off) {
    case 0:
        if (dlab) {
            *val = u->dll;
        } else {
            if (!u->rx_count)
                take_input(u);
            *val = 0;
            if (u->rx_count) {
                *val = u->rx[u->rx_head];
                u->rx_head = (u->rx_head + 1) % RX_RING;
                u->rx_count--;
            }
            update_irq(u);
        }
        return 0;
    case 1: *val = dlab ? u->dlm : u->ier; return 0;
    case 2: {
        /* IIR: the most urgent interrupt owed; reading it pays the
         * transmitter's. */
        unsigned iir = 0x01;
        if ((u->ier & IER_RDA) && u->rx_count) {
            iir = 0x04;
        } else if ((u->ier & IER_THRE) && u->thr_ipending) {
            iir = 0x02;
            u->thr_ipending = false;
        }
        *val = iir | ((u->fcr & 1) ? 0xc0 : 0);
        update_irq(u);
        return 0;
    }
    case 3: *val = u->lcr; return 0;
    case 4: *val = u->mcr; return 0;
    case 5:
        if (!u->rx_count)
            take_input(u);
        *val = LSR_THRE | LSR_TEMT | (u->rx_count ? LSR_DR : 0);
        return 0;
    case 6: *val = 0xb0; return 0;       /* MSR: CTS, DSR and DCD asserted */
    case 7: *val = u->scr; return 0;
    }
    *val = 0;
    return 0;
}

static int uart_write(struct board_dev *d, uint64_t off, unsigned len, uint64_t val)
{
    struct uart *u = (struct uart *)d;
    if (len != 1)
        return -1;
    uint8_t v = (uint8_t)val;
    bool dlab = u->lcr & LCR_DLAB;
    switch (off) {
    case 0:
        if (dlab) {
            u->dll = v;
        } else {
            if (u->out >= 0)
                while (write(u->out, &v, 1) < 0 && errno == EINTR)
                    ;
            /* Sent at once: the transmitter is empty again. */
            u->thr_ipending = true;
            update_irq(u);
        }
        return 0;
    case 1:
        if (dlab) {
            u->dlm = v;
        } else {
            /* Enabling the transmitter's interrupt while it is empty owes one. */
            if ((v & IER_THRE) && !(u->ier & IER_THRE))
                u->thr_ipending = true;
            u->ier = v & 0x0f;
            update_irq(u);
        }
        return 0;
    case 2: u->fcr = v; return 0;
    case 3: u->lcr = v; return 0;
    case 4: u->mcr = v & 0x1f; return 0;
    case 7: u->scr = v; return 0;
    }
    return 0;      /* LSR and MSR: writes are ignored */
}

static void uart_reset(struct board_dev *d)
{
    struct uart *u = (struct uart *)d;
    u->ier = u->lcr = u->mcr = u->scr = u->dll = u->dlm = u->fcr = 0;
    u->thr_ipending = false;
    update_irq(u);
}

/* The registers and the bytes received and not yet read (not the
 * monitor prompt's line, nor what the host side holds). */
static int uart_save(struct board_dev *d, struct snap_buf *o)
{
    struct uart *u = (struct uart *)d;
    const uint8_t r[] = { u->ier, u->lcr, u->mcr, u->scr, u->dll, u->dlm, u->fcr, u->thr_ipending };
    snap_put_bytes(o, r, sizeof r);
    snap_put_u32(o, u->rx_count);
    for (unsigned i = 0; i < u->rx_count; i++)
        snap_put_u8(o, u->rx[(u->rx_head + i) % RX_RING]);
    return 0;
}

static int uart_load(struct board_dev *d, struct snap_cur *in)
{
    struct uart *u = (struct uart *)d;
    const uint8_t *r = snap_get_bytes(in, 8);
    uint32_t n = snap_get_u32(in);
    if (!r || n > RX_RING)
        return -1;
    u->ier = r[0] & 0x0f, u->lcr = r[1], u->mcr = r[2] & 0x1f, u->scr = r[3], u->dll = r[4], u->dlm = r[5];
    u->fcr = r[6], u->thr_ipending = r[7] != 0;
    u->rx_head = 0;
    u->rx_count = 0;
    for (uint32_t i = 0; i < n; i++)
        rx_push(u, snap_get_u8(in));
    if (in->bad)
        return -1;
    update_irq(u);
    return 0;
}

struct board_dev *board_uart_new(struct board *b)
{
    struct uart *u = calloc(1, sizeof *u);
    if (!u)
        return NULL;
    u->dev = (struct board_dev){ .name = "uart", .base = BOARD_UART_BASE, .size = 0x100, .read = uart_read,
                              .write = uart_write, .poll = uart_poll, .board = b, .reset = uart_reset,
                                 .save = uart_save, .load = uart_load };
    u->in = b->cfg.console_in;
    u->out = b->cfg.console_out;
    return &u->dev;
}
