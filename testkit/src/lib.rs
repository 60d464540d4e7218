//! Test harness: free ports, real peers started with time-outs.
