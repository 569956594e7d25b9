# Copies one .proto contract (IN) to OUT with optimize_for = LITE_RUNTIME (see
# openssl-provider/CMakeLists.txt for why the module uses lite code).
file(READ ${IN} text)
string(REGEX REPLACE "(package [A-Za-z0-9_.]+;)" "\\1\noption optimize_for = LITE_RUNTIME;" text "${text}")
file(WRITE ${OUT} "${text}")
