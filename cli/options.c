/* Option values shared by the subcommands: integers, byte sizes, and the resource-limit
 * options (--max-memory, --max-macs), parsed one way everywhere. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"

bool cli_parse_u64(const char *text, unsigned long long *out)
{
    if (!text[0] || text[0] == '-')
        return false;
    char *end;
    errno = 0;
    *out = strtoull(text, &end, 10);
    return errno == 0 && *end == '\0';
}

bool cli_parse_size(const char *text, uint64_t *out)
{
    if (!text[0] || text[0] < '0' || text[0] > '9')
        return false;
    char *end;
    errno = 0;
    unsigned long long v = strtoull(text, &end, 10);
    if (errno)
        return false;
    static const char *const suffixes = "KMGT";
    unsigned shift = 0;
    if (*end) {
        const char *p = strchr(suffixes, *end);
        if (!p)
            return false;
        shift = 10u * (unsigned)(p - suffixes + 1);
        end++;
        if (!strcmp(end, "iB") || !strcmp(end, "B"))
            end += strlen(end);
    }
    if (*end || v == 0 || v > (UINT64_MAX >> shift))
        return false;
    *out = (uint64_t)v << shift;
    return true;
}

int cli_limit_option(const char *command, int argc, char **argv, int *i, uint64_t *max_memory, uint64_t *max_macs)
{
    const char *a = argv[*i];
    bool memory = !strcmp(a, "--max-memory");
    if (!memory && (!max_macs || strcmp(a, "--max-macs")))
        return 0;
    if (*i + 1 >= argc) {
        cli_usage_error(command, "%s needs a value", a);
        return -1;
    }
    const char *v = argv[++*i];
    unsigned long long count = 0;
    if (memory ? !cli_parse_size(v, max_memory) : !cli_parse_u64(v, &count) || count == 0) {
        cli_usage_error(command, memory ? "--max-memory '%s': expected bytes, optionally with K, M, G or T (e.g. 16G)"
                                        : "--max-macs '%s': expected a positive integer",
                        v);
        return -1;
    }
    if (!memory)
        *max_macs = count;
    return 1;
}
