#!/usr/bin/env python3
"""DLPack between ginit and PyTorch, zero-copy both ways, on the CPU.

Usage: dlpack_torch.py PATH/TO/libginit.so

 1. ginit -> torch: ginit fills a tensor over a buffer of this script (a
    gi_tensor_from_blob tensor with a counting release function) and
    exports it; torch.utils.dlpack.from_dlpack takes the capsule. torch's
    tensor is ginit's memory (same data_ptr) and values, ginit sees
    torch's writes, and the buffer goes back to its owner once, when
    torch drops the tensor.
 2. torch -> ginit: torch allocates a tensor, to_dlpack gives a capsule
    which this script consumes as DLPack asks (takes its pointer, renames
    it "used_dltensor"), gi_tensor_from_dlpack takes it, and ginit's
    xavier_uniform_ writes exactly the bits it writes into a tensor of
    its own, into torch's memory; ginit calls torch's deleter once, when
    its tensor is destroyed.

Each for float32, float64, float16 and bfloat16. Exits 77 (skipped) when
torch cannot be imported, unless GINIT_REQUIRE_TORCH=1, which makes that
a failure.
"""
import ctypes
import gc
import sys

from torch_import import require

c_void_p = ctypes.c_void_p
c_int64_p = ctypes.POINTER(ctypes.c_int64)


class DLDevice(ctypes.Structure):
    _fields_ = [("device_type", ctypes.c_int), ("device_id", ctypes.c_int)]


class DLDataType(ctypes.Structure):
    _fields_ = [("code", ctypes.c_uint8), ("bits", ctypes.c_uint8),
                ("lanes", ctypes.c_uint16)]


class DLTensor(ctypes.Structure):
    _fields_ = [("data", c_void_p), ("device", DLDevice),
                ("ndim", ctypes.c_int), ("dtype", DLDataType),
                ("shape", c_int64_p), ("strides", c_int64_p),
                ("byte_offset", ctypes.c_uint64)]


class DLManagedTensor(ctypes.Structure):
    pass


DELETER = ctypes.CFUNCTYPE(None, ctypes.POINTER(DLManagedTensor))
DLManagedTensor._fields_ = [("dl_tensor", DLTensor),
                            ("manager_ctx", c_void_p),
                            ("deleter", DELETER)]

RELEASE = ctypes.CFUNCTYPE(None, c_void_p, c_void_p)

GI_DEVICE_CPU = 1
# gi_dtype's values, in GI_DTYPE_LIST's order
DTYPES = ["float32", "float64", "float16", "bfloat16"]
ELEM = {"float32": 4, "float64": 8, "float16": 2, "bfloat16": 2}
# integer views of the same width, to compare bits (NaN included)
BITS = {"float32": "int32", "float64": "int64", "float16": "int16",
        "bfloat16": "int16"}

failures = []


def expect(cond, what):
    if not cond:
        failures.append(what)
        print("FAIL:", what, file=sys.stderr)


def load_ginit(path):
    g = ctypes.CDLL(path)
    out = ctypes.POINTER(c_void_p)
    sigs = {
        "gi_context_create": [out, ctypes.c_int],
        "gi_context_destroy": [c_void_p],
        "gi_tensor_create": [out, c_void_p, ctypes.c_int, ctypes.c_int,
                             c_int64_p],
        "gi_tensor_from_blob": [out, c_void_p, c_void_p, ctypes.c_int,
                                ctypes.c_int, c_int64_p, RELEASE, c_void_p],
        "gi_tensor_destroy": [c_void_p],
        "gi_tensor_data_ptr": [c_void_p, out],
        "gi_tensor_copy_to_host": [c_void_p, c_void_p, ctypes.c_size_t],
        "gi_tensor_get": [c_void_p, ctypes.c_int, c_int64_p,
                          ctypes.POINTER(ctypes.c_double)],
        "gi_generator_create": [out, ctypes.c_uint64],
        "gi_generator_destroy": [c_void_p],
        "gi_normal_": [c_void_p, ctypes.c_double, ctypes.c_double, c_void_p],
        "gi_xavier_uniform_": [c_void_p, ctypes.c_double, c_void_p],
        "gi_tensor_to_dlpack": [c_void_p, out],
        "gi_tensor_from_dlpack": [out, c_void_p, c_void_p],
    }
    for name, args in sigs.items():
        f = getattr(g, name)
        f.argtypes = args
        f.restype = None if name.endswith("destroy") else ctypes.c_int
    g.gi_last_error.restype = ctypes.c_char_p
    g.gi_last_error.argtypes = []
    return g


def check(g, status, call):
    if status != 0:
        raise RuntimeError("%s: %s" % (call, g.gi_last_error().decode()))


def new_handle(g, ctor, *args):
    h = c_void_p()
    check(g, getattr(g, ctor)(ctypes.byref(h), *args), ctor)
    return h


def shape_of(dims):
    return (ctypes.c_int64 * len(dims))(*dims)


def data_ptr(g, t):
    p = c_void_p()
    check(g, g.gi_tensor_data_ptr(t, ctypes.byref(p)), "gi_tensor_data_ptr")
    return p.value


def host_bytes(g, t, nbytes):
    buf = ctypes.create_string_buffer(nbytes)
    check(g, g.gi_tensor_copy_to_host(t, buf, nbytes),
          "gi_tensor_copy_to_host")
    return buf.raw


def same_bits(torch, tt, raw, name):
    ref = torch.frombuffer(bytearray(raw), dtype=getattr(torch, name))
    bits = getattr(torch, BITS[name])
    return torch.equal(tt.reshape(-1).view(bits), ref.view(bits))


def capsule_api():
    api = ctypes.pythonapi
    api.PyCapsule_New.restype = ctypes.py_object
    api.PyCapsule_New.argtypes = [c_void_p, ctypes.c_char_p, c_void_p]
    api.PyCapsule_GetPointer.restype = c_void_p
    api.PyCapsule_GetPointer.argtypes = [ctypes.py_object, ctypes.c_char_p]
    api.PyCapsule_SetName.restype = ctypes.c_int
    api.PyCapsule_SetName.argtypes = [ctypes.py_object, ctypes.c_char_p]
    api.PyCapsule_IsValid.restype = ctypes.c_int
    api.PyCapsule_IsValid.argtypes = [ctypes.py_object, ctypes.c_char_p]
    return api


def ginit_to_torch(torch, g, api, ctx, name):
    dims = [3, 5]
    n = 15
    nbytes = n * ELEM[name]
    buf = (ctypes.c_double * n)()  # 8-byte aligned, ours
    released = []
    release = RELEASE(lambda data, user: released.append(data))
    t = new_handle(g, "gi_tensor_from_blob", ctx, buf, DTYPES.index(name),
                   2, shape_of(dims), release, None)
    check(g, g.gi_normal_(t, 0.0, 1.0, None), "gi_normal_")
    m = c_void_p()
    check(g, g.gi_tensor_to_dlpack(t, ctypes.byref(m)), "gi_tensor_to_dlpack")
    ptr = data_ptr(g, t)
    raw = host_bytes(g, t, nbytes)
    cap = api.PyCapsule_New(m.value, b"dltensor", None)
    tt = torch.utils.dlpack.from_dlpack(cap)
    expect(api.PyCapsule_IsValid(cap, b"used_dltensor") == 1,
           "%s: torch renames the capsule it consumed" % name)
    expect(tt.data_ptr() == ptr == ctypes.addressof(buf),
           "%s: torch's tensor is ginit's memory, not a copy" % name)
    expect(tt.dtype == getattr(torch, name) and list(tt.shape) == dims,
           "%s: dtype and shape" % name)
    expect(same_bits(torch, tt, raw, name),
           "%s: torch sees ginit's values" % name)
    tt[1, 2] = 0.25
    v = ctypes.c_double()
    check(g, g.gi_tensor_get(t, 2, shape_of([1, 2]), ctypes.byref(v)),
          "gi_tensor_get")
    expect(v.value == 0.25, "%s: ginit sees torch's write" % name)
    g.gi_tensor_destroy(t)
    expect(not released, "%s: torch's tensor keeps the memory" % name)
    del tt, cap
    gc.collect()
    expect(released == [ctypes.addressof(buf)],
           "%s: dropping torch's tensor releases the memory once (%r)"
           % (name, released))


def torch_to_ginit(torch, g, api, ctx, name):
    dims = [6, 4]
    nbytes = 24 * ELEM[name]
    tt = torch.zeros(dims, dtype=getattr(torch, name))
    cap = torch.utils.dlpack.to_dlpack(tt)
    ptr = api.PyCapsule_GetPointer(cap, b"dltensor")
    check(g, api.PyCapsule_SetName(cap, b"used_dltensor"),
          "PyCapsule_SetName")
    # Count the deleter's calls on the way to torch's own.
    m = DLManagedTensor.from_address(ptr)
    # A copy of the pointer: the field object would follow the field.
    torch_deleter = DELETER(ctypes.cast(m.deleter, c_void_p).value)
    deleted = []

    def counting(p):
        deleted.append(ctypes.addressof(p.contents))
        torch_deleter(p)

    counting_deleter = DELETER(counting)  # alive until ginit calls it
    m.deleter = counting_deleter
    t = new_handle(g, "gi_tensor_from_dlpack", ctx, c_void_p(ptr))
    expect(data_ptr(g, t) == tt.data_ptr(),
           "%s: ginit's tensor is torch's memory, not a copy" % name)
    ref = new_handle(g, "gi_tensor_create", ctx, DTYPES.index(name), 2,
                     shape_of(dims))
    for target in (t, ref):
        gen = new_handle(g, "gi_generator_create", ctypes.c_uint64(2024))
        check(g, g.gi_xavier_uniform_(target, 1.0, gen),
              "gi_xavier_uniform_")
        g.gi_generator_destroy(gen)
    expect(same_bits(torch, tt, host_bytes(g, ref, nbytes), name),
           "%s: torch's tensor holds ginit's fill, bit for bit" % name)
    expect(float(tt.abs().max()) > 0, "%s: the fill wrote something" % name)
    g.gi_tensor_destroy(ref)
    expect(not deleted, "%s: no deleter while ginit's tensor lives" % name)
    g.gi_tensor_destroy(t)
    expect(deleted == [ptr], "%s: destroying ginit's tensor calls the "
           "deleter once (%d calls)" % (name, len(deleted)))
    del cap, counting_deleter
    gc.collect()
    expect(len(deleted) == 1, "%s: the renamed capsule leaves the deleter "
           "to ginit" % name)


def main():
    if len(sys.argv) != 2:
        print("usage: dlpack_torch.py PATH/TO/libginit.so", file=sys.stderr)
        return 2
    torch, _ = require("torch.utils.dlpack")
    g = load_ginit(sys.argv[1])
    api = capsule_api()
    ctx = new_handle(g, "gi_context_create", GI_DEVICE_CPU)
    for name in DTYPES:
        ginit_to_torch(torch, g, api, ctx, name)
        torch_to_ginit(torch, g, api, ctx, name)
    g.gi_context_destroy(ctx)
    if failures:
        print("%d check(s) failed" % len(failures), file=sys.stderr)
        return 1
    print("ginit <-> torch %s over DLPack: all checks passed, %d dtypes"
          % (torch.__version__, len(DTYPES)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
