//! echo: a sharedlib-mode function in Rust (std only). It returns the
//! event, or, for an event containing `"error"`, an `EchoError`.
//!
//! The `abi` module mirrors include/faas/function.h (ABI version 1); a
//! real project would keep it in a small crate of its own.

mod abi {
    use std::os::raw::c_char;

    pub const FAAS_ABI_VERSION: u32 = 1;
    pub const FAAS_THREAD_SAFE: u32 = 0x1;
    pub const FAAS_OK: i32 = 0;
    pub const FAAS_ERROR: i32 = 1;
    pub const FAAS_E_TOO_LARGE: i32 = -1;
    pub const FAAS_ERROR_TYPE_MAX: usize = 128;

    #[repr(C)]
    pub struct Str {
        pub ptr: *const c_char,
        pub len: usize,
    }

    impl Str {
        /// The runtime's string as bytes; valid only during the call.
        pub fn as_bytes(&self) -> &[u8] {
            unsafe { std::slice::from_raw_parts(self.ptr as *const u8, self.len) }
        }
    }

    #[repr(C)]
    pub struct Context {
        pub size: u32,
        pub abi_version: u32,
        pub deadline_ms: i64,
        pub request_id: Str,
        pub function_arn: Str,
        pub trace_id: Str,
        pub client_context: Str,
        pub cognito_identity: Str,
        pub tenant_id: Str,
    }

    /// faas_output: the runtime's buffer. Only `write` and `error` touch it.
    #[repr(C)]
    pub struct Output {
        data: *mut u8,
        len: usize,
        cap: usize,
        grow: extern "C" fn(*mut Output, usize) -> i32,
        error_type: [u8; FAAS_ERROR_TYPE_MAX],
    }

    impl Output {
        /// faas_output_write: appends, growing the runtime's buffer.
        pub fn write(&mut self, b: &[u8]) -> i32 {
            if b.len() > self.cap - self.len {
                let need = match self.len.checked_add(b.len()) {
                    Some(n) => n,
                    None => return FAAS_E_TOO_LARGE,
                };
                if (self.grow)(self, need) != 0 {
                    return FAAS_E_TOO_LARGE;
                }
            }
            unsafe { std::ptr::copy_nonoverlapping(b.as_ptr(), self.data.add(self.len), b.len()) };
            self.len += b.len();
            FAAS_OK
        }

        /// faas_output_error: replaces the output with an error.
        pub fn error(&mut self, typ: &str, message: &str) -> i32 {
            let n = typ.len().min(FAAS_ERROR_TYPE_MAX - 1);
            self.error_type[..n].copy_from_slice(&typ.as_bytes()[..n]);
            self.error_type[n] = 0;
            self.len = 0;
            let _ = self.write(message.as_bytes());
            FAAS_ERROR
        }
    }
}

use abi::{Context, Output};

#[no_mangle]
#[allow(non_upper_case_globals)]
pub static faas_abi_version: u32 = abi::FAAS_ABI_VERSION;

#[no_mangle]
#[allow(non_upper_case_globals)]
pub static faas_flags: u32 = abi::FAAS_THREAD_SAFE; // no shared state

/// # Safety
/// Called by faas-runtime with valid pointers for the duration of the call.
#[no_mangle]
pub unsafe extern "C" fn faas_handle(ctx: *const Context, event: *const u8, event_len: usize, out: *mut Output) -> i32 {
    let (ctx, out) = (&*ctx, &mut *out);
    let event = std::slice::from_raw_parts(event, event_len);
    // stderr is the function's log.
    eprintln!("rust echo: request {}, {} bytes", String::from_utf8_lossy(ctx.request_id.as_bytes()), event.len());
    if event.windows(7).any(|w| w == b"\"error\"") {
        return out.error("EchoError", "the event asked for an error");
    }
    out.write(event)
}

/// SnapStart hooks (optional; called only with
/// AWS_LAMBDA_INITIALIZATION_TYPE=snap-start): nothing to drop or renew
/// here, so they only log. A real function closes connections before the
/// snapshot and reconnects and reseeds after each restore.
///
/// # Safety
/// Called by faas-runtime with a valid output pointer.
#[no_mangle]
pub unsafe extern "C" fn faas_before_checkpoint(_err: *mut Output) -> i32 {
    eprintln!("rust echo: before checkpoint");
    abi::FAAS_OK
}

/// # Safety
/// Called by faas-runtime with a valid output pointer.
#[no_mangle]
pub unsafe extern "C" fn faas_after_restore(_err: *mut Output) -> i32 {
    eprintln!("rust echo: after restore");
    abi::FAAS_OK
}
