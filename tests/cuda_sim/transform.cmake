# Rewrites a kernel source for the CUDA-on-CPU simulator: every
# `k<<<config>>>(` becomes `GI_SIM_LAUNCH(k, config)(`; nothing else
# changes. cmake -DIN=kernels/x.cu -DOUT=build/x.sim.cpp -P transform.cmake
# With -DFROM=... -DTO=..., every occurrence of FROM is replaced by TO
# first: a deliberately broken kernel, to show that the simulator fails it.
file(READ "${IN}" text)
if(DEFINED FROM)
  string(FIND "${text}" "${FROM}" at)
  if(at EQUAL -1)
    message(FATAL_ERROR "${IN}: the mutation's text '${FROM}' is not there")
  endif()
  string(REPLACE "${FROM}" "${TO}" text "${text}")
endif()
string(REGEX REPLACE "([A-Za-z_][A-Za-z0-9_]*)<<<([^>]*)>>>\\("
       "GI_SIM_LAUNCH(\\1, \\2)(" text "${text}")
string(FIND "${text}" "<<<" left)
if(NOT left EQUAL -1)
  message(FATAL_ERROR "${IN}: a launch the simulator cannot rewrite remains")
endif()
file(WRITE "${OUT}.tmp" "#line 1 \"${IN}\"\n${text}")
file(COPY_FILE "${OUT}.tmp" "${OUT}" ONLY_IF_DIFFERENT)
