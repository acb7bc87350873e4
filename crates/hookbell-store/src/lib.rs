//! hookbell-store
