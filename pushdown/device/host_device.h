// The `host` device: a bpfgen::NativeProgram (host JIT of the same generator)
// behind the Device interface. Local memory is an aligned host buffer of
// layout.mem_size bytes owned by the LoadedProgram. Always available.
#pragma once

#include <memory>

#include "pushdown/device/device.h"

namespace pushdown::exec {

class HostDevice : public Device {
 public:
  HostDevice();

  const DeviceCaps& caps() const override { return caps_; }
  Status Available() const override { return Status::OK(); }
  // REQUIRES: image.native is set. The host is the end of the fallback chain:
  // a failure sets `failure` to kDeviceUnavailable (no memory) or kNone (a
  // malformed image).
  using Device::Load;
  Result<std::unique_ptr<LoadedProgram>> Load(const ProgramImage& image,
                                              Fallback* failure) override;

 private:
  DeviceCaps caps_;
};

}  // namespace pushdown::exec
