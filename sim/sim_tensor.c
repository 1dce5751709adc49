/* Tensor-map access on the simulator's DRAM (the conversion is sim/program_tensor.c). */
#include "sim/sim_internal.h"
#include "target/machine.h"

static rtpu_status check_tensor(const rtpu_sim *sim, const program_tensor *t, rtpu_error *err)
{
    return machine_check_tensor("sim", sim->program, t, err);
}

rtpu_status sim_read_tensor(const rtpu_sim *sim, const program_tensor *t, float *out, rtpu_error *err)
{
    rtpu_status st = check_tensor(sim, t, err);
    if (!st)
        program_tensor_decode(t, sim->dram + t->dram, out);
    return st;
}

rtpu_status sim_write_tensor(rtpu_sim *sim, const program_tensor *t, const float *in, rtpu_error *err)
{
    rtpu_status st = check_tensor(sim, t, err);
    if (!st)
        program_tensor_encode(t, in, sim->dram + t->dram);
    return st;
}
