/* fileio.h - reading a whole small file. */
#ifndef ZT_FILEIO_H
#define ZT_FILEIO_H

#include <stddef.h>

/* Reads path into a fresh NUL-terminated buffer (caller frees). Returns 0,
 * -1 when it cannot be opened or is not a regular file, -2 when larger than
 * max, -3 on a read error. */
int file_read_all(const char *path, size_t max, char **data, size_t *len);

#endif
