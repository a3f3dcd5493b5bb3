; fw_cfg's file directory in real mode (QEMU's docs/specs/fw_cfg.rst: selector port 510h, data
; port 511h, the directory at item 19h: a big-endian count, then 64-byte entries of size
; (big-endian 32-bit), selector (big-endian 16-bit), 2 reserved bytes and a NUL-padded 56-byte
; name). For POST steps that read one file before tables_setup or without protected mode.

; fwcfg_lookup: SI = a NUL-terminated name (CS:) -> CF clear, AX = the selector, ECX = the size;
; CF set when there is no fw_cfg (its signature item 0 is not "QEMU") or no such file.
fwcfg_lookup:
        push    edx
        push    ebx
        push    di
        push    bp
        mov     bp, si
        mov     dx, FWCFG_SELECTOR
        xor     ax, ax
        out     dx, ax
        inc     dx
        call    .be32
        cmp     eax, 'UMEQ'             ; "QEMU", first byte shifted highest
        jne     .none
        dec     dx
        mov     ax, FWCFG_FILE_DIR
        out     dx, ax
        inc     dx
        call    .be32
        mov     ebx, eax                ; entries left
.entry: test    ebx, ebx
        jz      .none
        dec     ebx
        call    .be32
        mov     ecx, eax                ; size
        in      al, dx
        mov     ah, al
        in      al, dx
        mov     di, ax                  ; selector
        in      al, dx
        in      al, dx
        mov     si, bp
        push    ecx
        mov     cx, 56
        mov     ah, 0                   ; AH = 1 once a byte differs
.name:  in      al, dx
        cmp     si, 0xFFFF
        je      .rest                   ; past the name's NUL: the padding is not compared
        cmp     al, [cs:si]
        je      .same
        mov     ah, 1
.same:  cmp     byte [cs:si], 0
        je      .end
        inc     si
        jmp     .rest
.end:   mov     si, 0xFFFF
.rest:  loop    .name
        pop     ecx
        test    ah, ah
        jnz     .entry
        mov     ax, di
        clc
        jmp     .ret
.none:  stc
.ret:   mov     si, bp
        pop     bp
        pop     di
        pop     ebx
        pop     edx
        ret
; .be32: EAX = the next four bytes of the selected item, the first one highest.
.be32:  push    cx
        mov     cx, 4
.byte:  shl     eax, 8
        in      al, dx
        loop    .byte
        pop     cx
        ret
