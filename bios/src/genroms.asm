; Option ROMs the board offers as fw_cfg files named genroms/* (QEMU's rom_add_option; the
; -kernel loader genroms/linuxboot.bin is one), loaded and booted as SeaBIOS does (its
; optionroms.c run_file_roms): each is copied into the first gap in the option ROM area that holds
; it, checked (signature 55AAh, size in 512-byte blocks at offset 2, bytes summing to zero)
; and initialised by a far call to offset 3 (IBM PC/AT Technical Reference, "Adapter ROM").
; A ROM with a PnP expansion header (its offset at 1Ah, signature "$PnP") that gives a bootstrap
; entry vector (BEV, header offset 1Ah) is booted through it (BIOS Boot Specification 1.01, 6.5:
; the BIOS far-calls the BEV; if it returns, the device did not boot). As SeaBIOS orders them
; (boot.c bootprio_find_named_rom): a ROM the fw_cfg bootorder file names ("/rom@genroms/NAME",
; as QEMU names the -kernel loader with bootindex 0) boots before the CMOS boot order, through
; an INT 19h hook; any other boots after it, through an INT 18h hook (SeaBIOS's default BEV
; priority, last unless the CMOS order names the network).
;
; Known limits: bootorder entries other than genroms ROMs, their relative order, and the
; network position in the CMOS order are not honoured; BCVs, multiple PnP headers, and ROMs
; bigger than the free option ROM space are skipped.

GENROM_DIR      equ     0x3C00          ; scratch segment for the fw_cfg file directory (POST only)
GENROM_ORDER    equ     0x0A00          ; and after it (at most 4 + 32 * 64 bytes), the bootorder file
GENROM_ORDER_MAX equ    0x400
GENROM_MAX_BEVS equ     4

; genroms_setup: loads, initialises and records the genroms/* ROMs. Called once by POST, after
; the ISA option ROM scan and before lock_bios (the F segment and C0000-DFFFF are writable).
genroms_setup:
        pushad
        push    ds
        push    es
        cld
        call    fwcfg_present
        jc      .done
        ; The directory (fwcfg.asm): its count, kept here in CPU order, then the 64-byte entries.
        mov     ax, FWCFG_FILE_DIR
        call    fwcfg_select
        call    fwcfg_be32
        cmp     eax, 32                 ; QEMU's default number of file slots
        jbe     .count
        mov     eax, 32
.count: mov     bx, GENROM_DIR
        mov     es, bx
        mov     [es:0], eax
        mov     cx, ax
        shl     cx, 6
        mov     di, 4
        rep     insb
        call    genrom_read_order
        mov     si, 4                   ; ES:SI = the entry
        mov     cx, [es:0]
.entry: jcxz    .hook
        push    cx
        push    si
        lea     di, [si + 8]
        push    si
        mov     si, genrom_prefix
        mov     cx, genrom_prefix_len
        push    ds
        push    cs
        pop     ds
        repe    cmpsb                   ; DS:SI (the prefix) against ES:DI (the name)
        pop     ds
        pop     si
        jne     .next
        call    genrom_load
.next:  pop     si
        pop     cx
        add     si, 64
        dec     cx
        jmp     .entry
.hook:  xor     ax, ax
        mov     es, ax
        cli
        cmp     word [cs:genrom_bev_count], 0
        je      .late
        mov     word [es:0x19 * 4], genroms_int19
        mov     word [es:0x19 * 4 + 2], cs
.late:  cmp     word [cs:genrom_late_count], 0
        je      .hooked
        mov     word [es:0x18 * 4], genroms_int18
        mov     word [es:0x18 * 4 + 2], cs
.hooked:
        sti
.done:  pop     es
        pop     ds
        popad
        ret

; genrom_load: ES:SI = a directory entry of a genroms/ file; copies it to the first 2 KiB-aligned
; gap in C0000-DFFFF that holds it (rom_find_gap, as PCI ROMs are placed), initialises it and
; records its BEV.
genrom_load:
        mov     ecx, [es:si]
        bswap   ecx                     ; the size
        cmp     ecx, 0xF000
        ja      .ret                    ; bigger than the ROM area could hold
        add     cx, 15
        shr     cx, 4                   ; in paragraphs
        jz      .ret                    ; an empty file is no ROM
        call    rom_find_gap            ; AX = the segment
        jc      .ret
        mov     bx, ax
        mov     ecx, [es:si]
        bswap   ecx                     ; below F000h, so CX is the count
        mov     ax, [es:si + 4]
        xchg    al, ah                  ; the selector
        push    es
        push    si
        mov     es, bx
        xor     di, di
        call    fwcfg_read
        ; a valid ROM: signature, a size, and a zero byte sum over that size
        cmp     word [es:0], 0xAA55
        jne     .bad
        movzx   cx, byte [es:2]
        jcxz    .bad
        shl     cx, 9
        xor     di, di
        xor     al, al
.sum:   add     al, [es:di]
        inc     di
        loop    .sum
        test    al, al
        jnz     .bad
        ; init: a far call to offset 3, with the PnP BIOS's ES:DI = the $PnP installation
        ; check structure (none: 0:0) and AX = FFFFh (no PCI device)
        pushad
        push    ds
        push    es
        push    bx
        push    cs
        push    word .back
        push    bx
        push    word 3
        xor     di, di
        mov     es, di
        mov     ax, 0xFFFF
        retf
.back:  pop     bx
        pop     es
        pop     ds
        popad
        cli
        sti
        ; the PnP header's BEV
        mov     es, bx
        mov     di, [es:0x1A]
        test    di, di
        jz      .ok
        cmp     dword [es:di], '$PnP'
        jne     .ok
        mov     ax, [es:di + 0x1A]
        test    ax, ax
        jz      .ok
        pop     si
        pop     es
        push    es
        push    si
        call    genrom_listed           ; ES:SI = the entry -> CF clear if bootorder names it
        mov     di, genrom_bevs
        jnc     .add
        mov     di, genrom_late
.add:   mov     si, [cs:di - 2]         ; the list's count precedes it
        cmp     si, GENROM_MAX_BEVS
        jae     .ok
        shl     si, 2
        add     si, di
        mov     [cs:si], ax
        mov     [cs:si + 2], bx
        inc     word [cs:di - 2]
.ok:    pop     si
        pop     es
.ret:   ret
.bad:   mov     word [es:0], 0          ; leave no half-valid ROM behind
        jmp     .ok

; genrom_read_order: the bootorder file (NUL-terminated lines) to ES:GENROM_ORDER, ended by a
; NUL; an empty string without one. ES = GENROM_DIR.
genrom_read_order:
        mov     byte [es:GENROM_ORDER], 0
        mov     si, genrom_order_name
        call    fwcfg_lookup            ; AX = the selector, ECX = the size
        jc      .ret
        cmp     ecx, GENROM_ORDER_MAX - 1
        jbe     .size
        mov     cx, GENROM_ORDER_MAX - 1
.size:  mov     di, GENROM_ORDER
        mov     bx, cx
        mov     byte [es:di + bx], 0
        call    fwcfg_read
.ret:   ret

; genrom_listed: ES:SI = a directory entry -> CF clear if the bootorder text holds
; "/rom@" + its name as a whole line (ended by a line feed or the NUL).
genrom_listed:
        push    ax
        push    bx
        push    di
        mov     bx, GENROM_ORDER        ; BX = the start of the current line
.line:  cmp     byte [es:bx], 0
        je      .no
        mov     di, bx
        push    si
        mov     si, genrom_rom_prefix
.pfx:   mov     al, [cs:si]
        test    al, al
        jz      .name
        cmp     al, [es:di]
        jne     .skip
        inc     si
        inc     di
        jmp     .pfx
.name:  pop     si
        push    si
        add     si, 8                   ; the entry's name
.nch:   mov     al, [es:si]
        test    al, al
        jz      .end
        cmp     al, [es:di]
        jne     .skip
        inc     si
        inc     di
        jmp     .nch
.end:   mov     al, [es:di]             ; the name must end the line
        test    al, al
        jz      .yes
        cmp     al, 10
        je      .yes
.skip:  pop     si
.eol:   mov     al, [es:bx]             ; on to the next line
        inc     bx
        test    al, al
        jz      .no
        cmp     al, 10
        jne     .eol
        jmp     .line
.yes:   pop     si
        clc
        jmp     .out
.no:    stc
.out:   pop     di
        pop     bx
        pop     ax
        ret

; genrom_call_bevs: far-calls each BEV of the list at CS:BX (a count word before it).
genrom_call_bevs:
        xor     si, si
.next:  cmp     si, [cs:bx - 2]
        jae     .done
        push    si
        push    bx
        shl     si, 2
        add     si, bx
        xor     ax, ax
        mov     ds, ax
        mov     es, ax
        call    far [cs:si]
        pop     bx
        pop     si
        inc     si
        jmp     .next
.done:  ret

; genroms_int19: INT 19h while bootorder names genroms BEVs: each in turn, then the BIOS's own
; bootstrap (the CMOS boot order).
genroms_int19:
        sti
        mov     bx, genrom_bevs
        call    genrom_call_bevs
        jmp     int19_handler

; genroms_int18: INT 18h (the CMOS order found nothing) while unnamed genroms BEVs exist: each
; in turn, then the BIOS's own INT 18h.
genroms_int18:
        sti
        mov     bx, genrom_late
        call    genrom_call_bevs
        jmp     int18_handler

genrom_prefix:          db      "genroms/"
genrom_prefix_len       equ     $ - genrom_prefix
genrom_order_name:      db      "bootorder", 0
genrom_rom_prefix:      db      "/rom@", 0
        align   4
; Two BEV lists (offset, segment), each after its count: named in bootorder, and the rest.
genrom_bev_count:       dw      0
genrom_bevs:            times   GENROM_MAX_BEVS dd 0
genrom_late_count:      dw      0
genrom_late:            times   GENROM_MAX_BEVS dd 0
