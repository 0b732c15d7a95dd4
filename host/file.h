/*
 * file.h — whole files named by the monitor's user (snapshots, later
 * migration streams): create beside a name, write, read, sync, rename.
 *
 * Unlike host/fs.h, nothing here is reached by a guest: paths come from the
 * command line, and names may have any number of components. Every call
 * returns a value or a negative host errno; host_file_strerror turns that
 * into text for a message and is its only meaning (no Linux translation).
 * Descriptors are opened with close-on-exec.
 */
#ifndef MVM_HOST_FILE_H
#define MVM_HOST_FILE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * Creates a new, empty file "<path>.tmp.XXXXXX" (the Xs made unique) in
 * path's directory, readable and writable by the owner only, for writing.
 * Its name goes to tmp (tmplen bytes, which must hold strlen(path) + 12).
 * Returns the descriptor, or a negative host errno (-ENAMETOOLONG when
 * tmp is too small).
 */
int host_file_create_temp(const char *path, char *tmp, size_t tmplen);

/* Opens an existing file for reading: the descriptor or a negative errno. */
int host_file_open_read(const char *path);

/* Writes all n bytes (retrying short writes): 0 or a negative errno. */
int host_file_write_all(int fd, const void *buf, size_t n);

/* Writes all n bytes at offset off, leaving the position alone: 0 or -errno. */
int host_file_pwrite_full(int fd, const void *buf, size_t n, uint64_t off);

/*
 * Reads up to n bytes, retrying short reads until n or the end of the
 * file: the count read (less than n only at the end) or a negative errno.
 */
int64_t host_file_read_full(int fd, void *buf, size_t n);
/* The same at offset off of a regular file, leaving its position alone. */
int64_t host_file_pread_full(int fd, void *buf, size_t n, uint64_t off);

/*
 * The size of a regular file: 0 with *size set; a negative errno, or
 * -ESPIPE when fd is not a regular file (a pipe, a socket).
 */
int host_file_size(int fd, uint64_t *size);

/*
 * What tells one version of a file's contents from another, as far as the
 * host says: device, inode, size, and the times of its last change of
 * data (mtime) and of anything (ctime), in nanoseconds. A cache may key
 * on it once the file has been left alone a while (settled: its ctime is
 * at least 2 s past), so that a change within the clock's granularity,
 * which can leave the times as they were, cannot have happened since.
 */
struct host_file_id {
    uint64_t dev, ino, size;
    int64_t mtime_ns, ctime_ns;
    bool settled;
};
/* 0 with *id set, or a negative errno (-ESPIPE: not a regular file). */
int host_file_identity(int fd, struct host_file_id *id);

/* Flushes the file's data and metadata to stable storage: 0 or -errno. */
int host_file_sync(int fd);

/* Closes fd (a negative fd is ignored): 0 or a negative errno. */
int host_file_close(int fd);

/* Atomically replaces to with from (same file system): 0 or -errno. */
int host_file_rename(const char *from, const char *to);

/* Removes a name: 0 or a negative errno. */
int host_file_unlink(const char *path);

/*
 * Flushes the directory that holds path (its entries: a rename or create
 * in it) to stable storage: 0 or -errno. A file system that cannot sync
 * directories (EINVAL) counts as success.
 */
int host_dir_sync(const char *path);

/* The text of a negative errno returned above, for one-line messages. */
const char *host_file_strerror(int err);

#endif
