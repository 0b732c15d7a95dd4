/*
 * monitor.c — the board's monitor prompt: Ctrl-A c on the console turns
 * the keyboard from the guest's UART to a "(mvm) " prompt (Ctrl-A c again
 * turns it back), as QEMU's monitor. The UART gathers the line; it runs
 * here between hart 0's runs, on hart 0's thread, so hart 0's state is
 * at rest while it is shown. The guest keeps running meanwhile.
 */
#include "sys/board.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

void monitor_say(struct board *b, const char *fmt, ...)
{
    char buf[1024];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    if (n < 0 || b->cfg.console_out < 0)
        return;
    size_t len = (size_t)n < sizeof buf ? (size_t)n : sizeof buf - 1;
    for (size_t done = 0; done < len;) {
        ssize_t w = write(b->cfg.console_out, buf + done, len - done);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            return;
        done += (size_t)w;
    }
}

static void registers(struct board *b)
{
    static const char *const abi[32] = { "zero", "ra", "sp", "gp", "tp", "t0", "t1", "t2", "s0", "s1", "a0",
                                         "a1", "a2", "a3", "a4", "a5", "a6", "a7", "s2", "s3", "s4", "s5",
                                         "s6", "s7", "s8", "s9", "s10", "s11", "t3", "t4", "t5", "t6" };
    struct board_hart *bh = b->harts[0];
    const struct rv_hart *h = bh->hart;
    monitor_say(b, "hart 0: pc %016llx, %c mode\r\n", (unsigned long long)h->pc, "US?M"[bh->cpu.priv & 3]);
    for (unsigned i = 0; i < 32; i += 4)
        monitor_say(b, " %-4s %016llx  %-4s %016llx  %-4s %016llx  %-4s %016llx\r\n", abi[i], (unsigned long long)h->x[i],
            abi[i + 1], (unsigned long long)h->x[i + 1], abi[i + 2], (unsigned long long)h->x[i + 2], abi[i + 3],
            (unsigned long long)h->x[i + 3]);
    monitor_say(b, " mstatus %016llx  mepc %016llx  mcause %016llx  mtval %016llx\r\n", (unsigned long long)bh->cpu.mstatus,
        (unsigned long long)bh->cpu.mepc, (unsigned long long)bh->cpu.mcause, (unsigned long long)bh->cpu.mtval);
    monitor_say(b, " satp %016llx  sepc %016llx  scause %016llx  stval %016llx\r\n", (unsigned long long)bh->cpu.satp,
        (unsigned long long)bh->cpu.sepc, (unsigned long long)bh->cpu.scause, (unsigned long long)bh->cpu.stval);
}

void monitor_run(struct board *b, const char *line)
{
    while (*line == ' ')
        line++;
    if (!*line) {
        /* an empty line: just the prompt again */
    } else if (!strcmp(line, "help") || !strcmp(line, "?")) {
        monitor_say(b, "info               the board: harts, RAM, devices, instructions, mtime\r\n"
               "info registers     hart 0's registers and privileged state\r\n"
               "system_reset       reset the board (as the guest's reset would)\r\n"
               "snapshot FILE      save the board to FILE (mvm restore FILE goes on from there)\r\n"
               "quit               end the run (mvm exits 0)\r\n"
               "Ctrl-A c           back to the guest's console\r\n");
    } else if (!strcmp(line, "info")) {
        monitor_say(b, "%u hart%s, %llu MiB of RAM at 0x%llx, %lld instructions retired, mtime %llu%s\r\n", b->nharts,
            b->nharts == 1 ? "" : "s", (unsigned long long)(b->cfg.ram_bytes >> 20),
            (unsigned long long)BOARD_RAM_BASE, (long long)atomic_load(&b->retired),
            (unsigned long long)board_mtime(b), b->cfg.icount >= 0 ? " (virtual)" : "");
        for (unsigned i = 0; i < b->ndev; i++)
            if (b->dev[i]->size)
                monitor_say(b, "  %-10s 0x%08llx-0x%08llx\r\n", b->dev[i]->name, (unsigned long long)b->dev[i]->base,
                    (unsigned long long)(b->dev[i]->base + b->dev[i]->size - 1));
    } else if (!strcmp(line, "info registers")) {
        registers(b);
    } else if (!strcmp(line, "system_reset")) {
        board_end(b, BOARD_RESET, 0);
    } else if (!strncmp(line, "snapshot ", 9) && line[9]) {
        /* Written by the board's runner once every hart has stopped. */
        free(b->snapshot_request);
        b->snapshot_request = strdup(line + 9);
        if (b->snapshot_request)
            board_pause(b);
        else
            monitor_say(b, "snapshot: out of host memory\r\n");
    } else if (!strcmp(line, "quit") || !strcmp(line, "q")) {
        board_end(b, BOARD_QUIT, 0);
    } else {
        monitor_say(b, "unknown command: '%s' (help lists them)\r\n", line);
    }
    if (!atomic_load(&b->end))
        monitor_say(b, "(mvm) ");
}

void monitor_prompt(struct board *b, bool on)
{
    monitor_say(b, on ? "\r\nmvm monitor: help lists the commands; Ctrl-A c goes back to the console\r\n(mvm) " : "\r\n");
}

void monitor_echo(struct board *b, const char *s, size_t len)
{
    monitor_say(b, "%.*s", (int)len, s);
}
