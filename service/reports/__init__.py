"""Employment-outcome reports (就业质量统计): figures, breakdowns, suppression, exports, snapshots."""
