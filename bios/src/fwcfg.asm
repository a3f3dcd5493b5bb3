; The BIOS's one fw_cfg access layer in real mode (QEMU's docs/specs/fw_cfg.rst): select an item
; (16-bit write to the selector port 510h), read its bytes in order from the data port 511h, the
; signature item 0 ("QEMU" when fw_cfg is there), and the file directory at item 19h: a
; big-endian count, then 64-byte entries of size (big-endian 32-bit), selector (big-endian
; 16-bit), 2 reserved bytes and a NUL-padded 56-byte name. Used by POST steps (bootmenu.asm,
; genroms.asm, e820.asm, pirq.asm, tables.asm before it enters protected mode); tables.asm's
; 32-bit code has its own select/read pair, as the same instructions encode differently there.

FWCFG_SELECTOR  equ     0x510
FWCFG_DATA      equ     0x511
FWCFG_SIGNATURE equ     0x00
FWCFG_BOOT_MENU equ     0x0E
FWCFG_FILE_DIR  equ     0x19
FWCFG_NAME_LEN  equ     56

; fwcfg_select: selects item AX; DX = the data port afterwards.
fwcfg_select:
        mov     dx, FWCFG_SELECTOR
        out     dx, ax
        inc     dx
        ret

; fwcfg_read: selects item AX and reads CX bytes of it to ES:DI (DF clear); DX = the data port.
fwcfg_read:
        call    fwcfg_select
        rep     insb
        ret

; fwcfg_be32: EAX = the next four bytes of the selected item, the first one highest. DX = the
; data port.
fwcfg_be32:
        push    cx
        mov     cx, 4
.byte:  shl     eax, 8
        in      al, dx
        loop    .byte
        pop     cx
        ret

; fwcfg_read16: AX = the next two bytes of the selected item, little-endian (as numbered items
; are). DX = the data port.
fwcfg_read16:
        in      al, dx
        mov     ah, al
        in      al, dx
        xchg    al, ah
        ret

; fwcfg_present: CF clear if fw_cfg is there (its signature item reads "QEMU"). Changes EAX, DX.
fwcfg_present:
        mov     ax, FWCFG_SIGNATURE
        call    fwcfg_select
        call    fwcfg_be32
        cmp     eax, 'UMEQ'             ; "QEMU", first byte shifted highest
        je      .yes
        stc
        ret
.yes:   clc
        ret

; fwcfg_lookup: SI = a NUL-terminated name (CS:) -> CF clear, AX = the selector, ECX = the size;
; CF set when there is no fw_cfg or no such file (ECX changed then too).
fwcfg_lookup:
        push    edx
        push    ebx
        push    di
        push    bp
        mov     bp, si
        call    fwcfg_present
        jc      .none
        mov     ax, FWCFG_FILE_DIR
        call    fwcfg_select
        call    fwcfg_be32
        mov     ebx, eax                ; entries left
.entry: test    ebx, ebx
        jz      .none
        dec     ebx
        call    fwcfg_be32
        mov     ecx, eax                ; size
        in      al, dx
        mov     ah, al
        in      al, dx
        mov     di, ax                  ; selector
        in      al, dx
        in      al, dx
        mov     si, bp
        push    ecx
        mov     cx, FWCFG_NAME_LEN
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
