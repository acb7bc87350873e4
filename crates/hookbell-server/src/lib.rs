//! hookbell-server
