/* The backend registry: the one place that knows which backends this build has. A build
 * configured without Verilator (-DRTPU_RTL=OFF) simply has no "rtl" entry; asking for it
 * gets a message saying how to build it, and no caller anywhere tests for it. */
#include "rtpu/rtpu.h"

#include <stdio.h>
#include <string.h>

#include "common/error.h"

extern const rtpu_backend rtpu_backend_sim;
extern const rtpu_backend rtpu_backend_cpu;
#ifdef RTPU_HAVE_RTL
extern const rtpu_backend rtpu_backend_rtl;
#endif

static const rtpu_backend *const backends[] = {
    &rtpu_backend_sim,
#ifdef RTPU_HAVE_RTL
    &rtpu_backend_rtl,
#endif
    &rtpu_backend_cpu,
};

size_t rtpu_backend_count(void) { return sizeof backends / sizeof backends[0]; }

const rtpu_backend *rtpu_backend_at(size_t i) { return i < rtpu_backend_count() ? backends[i] : NULL; }

rtpu_status rtpu_backend_find(const char *name, const rtpu_backend **out, rtpu_error *err)
{
    *out = NULL;
    for (size_t i = 0; i < rtpu_backend_count(); i++)
        if (name && !strcmp(backends[i]->name, name)) {
            *out = backends[i];
            return RTPU_OK;
        }
    if (name && !strcmp(name, "rtl"))
        return rtpu_fail(err, RTPU_ERR_UNSUPPORTED, "backend 'rtl' is not in this build (configure with -DRTPU_RTL=ON)");
    char list[128] = "";
    for (size_t i = 0; i < rtpu_backend_count(); i++) {
        size_t used = strlen(list);
        snprintf(list + used, sizeof list - used, "%s%s", i ? ", " : "", backends[i]->name);
    }
    return rtpu_fail(err, RTPU_ERR_UNSUPPORTED, "unknown backend '%s' (this build has: %s)", name ? name : "", list);
}
