# Rewrites a kernel source for the CUDA-on-CPU simulator: every
# `k<<<config>>>(` becomes `GI_SIM_LAUNCH(k, config)(`; nothing else
# changes. cmake -DIN=kernels/x.cu -DOUT=build/x.sim.cpp -P transform.cmake
file(READ "${IN}" text)
string(REGEX REPLACE "([A-Za-z_][A-Za-z0-9_]*)<<<([^>]*)>>>\\("
       "GI_SIM_LAUNCH(\\1, \\2)(" text "${text}")
string(FIND "${text}" "<<<" left)
if(NOT left EQUAL -1)
  message(FATAL_ERROR "${IN}: a launch the simulator cannot rewrite remains")
endif()
file(WRITE "${OUT}.tmp" "#line 1 \"${IN}\"\n${text}")
file(COPY_FILE "${OUT}.tmp" "${OUT}" ONLY_IF_DIFFERENT)
