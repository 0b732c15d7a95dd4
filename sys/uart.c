/*
 * uart.c — a 16550 UART, the board's console (as QEMU virt's, at
 * BOARD_UART_BASE, one byte per register). What the guest transmits goes
 * to the console's output at once; received bytes come from its input
 * when the guest looks for them (LSR, RBR). No interrupts yet: drivers
 * poll, as firmware consoles do. Ctrl-A x on the input ends the run.
 * Reference: the National Semiconductor PC16550D data sheet.
 */
#include "sys/board.h"

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
};

/* The console's escape key, as QEMU's: Ctrl-A x quits, Ctrl-A Ctrl-A
 * sends one Ctrl-A to the guest; other keys after Ctrl-A are dropped. */
#define ESCAPE 0x01

static void rx_push(struct uart *u, uint8_t c)
{
    if (u->rx_count < RX_RING)
        u->rx[(u->rx_head + u->rx_count++) % RX_RING] = c;
}

/* Takes what the console's input has (without waiting), as far as the
 * ring has room: when the guest reads, and between the hart's runs (so
 * that Ctrl-A x works whatever the guest does). */
static void uart_poll(struct board_dev *d)
{
    struct uart *u = (struct uart *)d;
    while (u->rx_count < RX_RING && u->in >= 0 && !u->in_closed) {
        struct pollfd p = { .fd = u->in, .events = POLLIN };
        if (poll(&p, 1, 0) != 1)
            return;
        uint8_t buf[64];
        size_t room = RX_RING - u->rx_count;
        ssize_t n = read(u->in, buf, room < sizeof buf ? room : sizeof buf);
        if (n <= 0) {
            if (n == 0 || (errno != EINTR && errno != EAGAIN))
                u->in_closed = true;
            continue;
        }
        for (ssize_t i = 0; i < n; i++) {
            uint8_t c = buf[i];
            if (u->escaped) {
                u->escaped = false;
                if (c == 'x') {
                    board_end(d->board, BOARD_QUIT, 0);
                    return;
                }
                if (c == ESCAPE)
                    rx_push(u, c);
            } else if (c == ESCAPE) {
                u->escaped = true;
            } else {
                rx_push(u, c);
            }
        }
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
                uart_poll(d);
            *val = 0;
            if (u->rx_count) {
                *val = u->rx[u->rx_head];
                u->rx_head = (u->rx_head + 1) % RX_RING;
                u->rx_count--;
            }
        }
        return 0;
    case 1: *val = dlab ? u->dlm : u->ier; return 0;
    case 2: *val = (u->fcr & 1) ? 0xc1 : 0x01; return 0;   /* IIR: no interrupt pending */
    case 3: *val = u->lcr; return 0;
    case 4: *val = u->mcr; return 0;
    case 5:
        if (!u->rx_count)
            uart_poll(d);
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
        } else if (u->out >= 0) {
            while (write(u->out, &v, 1) < 0 && errno == EINTR)
                ;
        }
        return 0;
    case 1: if (dlab) u->dlm = v; else u->ier = v & 0x0f; return 0;
    case 2: u->fcr = v; return 0;
    case 3: u->lcr = v; return 0;
    case 4: u->mcr = v & 0x1f; return 0;
    case 7: u->scr = v; return 0;
    }
    return 0;      /* LSR and MSR: writes are ignored */
}

struct board_dev *board_uart_new(struct board *b)
{
    struct uart *u = calloc(1, sizeof *u);
    if (!u)
        return NULL;
    u->dev = (struct board_dev){ .name = "uart", .base = BOARD_UART_BASE, .size = 0x100, .read = uart_read,
                              .write = uart_write, .poll = uart_poll, .board = b };
    u->in = b->cfg.console_in;
    u->out = b->cfg.console_out;
    return &u->dev;
}
