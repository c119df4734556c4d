"""acejam's ACE-Step v1 exporter: re-implemented modules, checkpoint loading and ONNX model packs."""

EXPORTER_VERSION = "0.1.0"
