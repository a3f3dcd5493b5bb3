; INT 15h: system services (IBM PC/AT Technical Reference; Ralf Brown's INT 15h; ACPI 6.x
; 15.1 "INT 15H, E820H - Query System Address Map"). The PS/2 mouse services C2xxh are in
; mouse.asm. Unsupported functions return CF set with AH = 86h. Every function ends in
; svc_return, so the caller gets its own IF and DF back (the STI below is for the handler).

int15_handler:
        cmp     ah, 0x4F
        je      .intercept
        sti
        cmp     eax, 0xE820
        je      .e820
        cmp     ax, 0xE801
        je      .e801
        cmp     ah, 0x88
        je      .ext_size
        cmp     ah, 0x87
        je      .move
        cmp     ah, 0x86
        je      .wait
        cmp     ah, 0xC0
        je      .config
        cmp     ah, 0xC1
        je      .ebda
        cmp     ah, 0xC2
        je      int15_mouse
        cmp     ah, 0x24
        je      .a20
        cmp     ah, 0x90
        je      .ok
        cmp     ah, 0x91
        je      .ok
.unsupported:
        mov     ah, 0x86
.fail:  stc
        jmp     svc_return
.ok:    xor     ah, ah
        clc
        jmp     svc_return

.intercept:
        ; keyboard intercept: the code stays in AL, CF set = let INT 09h process it
        stc
        jmp     svc_return

.e820:  ; EBX = continuation (an entry index), ES:DI = buffer of ECX >= 20 bytes
        cmp     edx, 0x534D4150         ; "SMAP"
        jne     .unsupported
        cmp     ecx, 20
        jb      .unsupported
        movzx   eax, word [cs:e820_count]
        cmp     ebx, eax
        jae     .unsupported
        push    ds
        push    si
        push    di
        push    cs
        pop     ds
        imul    si, bx, 20
        add     si, e820_table
        mov     cx, 10
        cld                             ; the caller's DF may be set; svc_return gives it back
        rep     movsw
        pop     di
        pop     si
        pop     ds
        inc     ebx
        cmp     ebx, eax
        jb      .more
        xor     ebx, ebx                ; the last entry
.more:  mov     eax, 0x534D4150
        mov     ecx, 20
        clc
        jmp     svc_return

.e801:  ; AX = CX = KiB from 1 MiB to 16 MiB, BX = DX = 64 KiB blocks from 16 MiB to the RAM top
        mov     eax, [cs:ram_top]
        cmp     eax, 0x1000000
        ja      .e801_big
        sub     eax, 0x100000
        shr     eax, 10
        xor     bx, bx
        jmp     .e801_set
.e801_big:
        sub     eax, 0x1000000
        shr     eax, 16
        mov     bx, ax
        mov     ax, 0x3C00
.e801_set:
        mov     cx, ax
        mov     dx, bx
        clc
        jmp     svc_return

.ext_size:
        ; AX = KiB above 1 MiB, at most 63 MiB as SeaBIOS reports it (real machines did).
        mov     eax, [cs:ram_top]
        sub     eax, 0x100000
        cmp     eax, 63 << 20
        jbe     .ext_ok
        mov     eax, 63 << 20
.ext_ok:
        shr     eax, 10
        clc
        jmp     svc_return

.move:  ; block move: CX words between the descriptors at ES:SI+10h (source), +18h (target)
        cmp     cx, 0x8000
        ja      .move_bad
        pushad
        push    ds
        push    es
        mov     eax, [es:si + 0x12]
        and     eax, 0x00FFFFFF
        mov     dl, [es:si + 0x17]
        mov     ebx, [es:si + 0x1A]
        and     ebx, 0x00FFFFFF
        mov     dh, [es:si + 0x1F]
        movzx   ecx, cx
        shl     ecx, 1
        movzx   esi, dl
        shl     esi, 24
        or      esi, eax
        movzx   edi, dh
        shl     edi, 24
        or      edi, ebx
        call    pm_copy
        pop     es
        pop     ds
        popad
        xor     ah, ah
        clc
        jmp     svc_return
.move_bad:
        mov     ah, 0x01                ; more than 32 K words
        stc
        jmp     svc_return

.wait:  ; CX:DX microseconds, counted in toggles of port 61h bit 4 (one every 15 us)
        push    eax
        push    ecx
        push    edx
        mov     ax, cx
        shl     eax, 16
        mov     ax, dx
        xor     edx, edx
        mov     ecx, 15
        div     ecx
        mov     ecx, eax
        in      al, 0x61
        and     al, 0x10
        mov     ah, al
.tick:  jecxz   .waited
.poll:  in      al, 0x61
        and     al, 0x10
        cmp     al, ah
        je      .poll
        mov     ah, al
        dec     ecx
        jmp     .tick
.waited:
        pop     edx
        pop     ecx
        pop     eax
        xor     ah, ah
        clc
        jmp     svc_return

.config:
        push    cs
        pop     es
        mov     bx, config_table
        jmp     .ok

.ebda:  mov     es, [cs:ebda_seg]
        clc
        jmp     svc_return

.a20:   cmp     al, 0x03
        je      .a20_support
        cmp     al, 0x02
        ja      .unsupported
        je      .a20_status
        push    dx
        mov     dl, al
        in      al, 0x92
        and     al, 0xFC                ; bit 0 would reset the CPU
        shl     dl, 1
        or      al, dl
        out     0x92, al
        pop     dx
        jmp     .ok
.a20_status:
        in      al, 0x92
        shr     al, 1
        and     al, 1
        jmp     .ok
.a20_support:
        mov     bx, 0x0003              ; through the 8042 and through port 92h
        jmp     .ok

; The system configuration table (INT 15h C0h): model FCh (AT), submodel 00h, BIOS revision 0;
; feature byte 1: second 8259A (bit 6), RTC (bit 5), INT 09h calls INT 15h 4Fh (bit 4),
; EBDA allocated (bit 2); feature byte 2: INT 16h 09h (keyboard functionality) present (bit 6).
config_table:
        dw      8
        db      0xFC, 0x00, 0x00, 0x74, 0x40, 0x00, 0x00, 0x00
