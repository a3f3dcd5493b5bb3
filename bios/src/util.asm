; Helpers: CMOS access, the debug console, protected-mode copies.

; cmos_read: AL = CMOS index -> AL = value. (Port 70h bit 7 stays clear: NMI enabled.)
cmos_read:
        out     0x70, al
        in      al, 0x71
        ret

; cmos_write: AL = index, AH = value.
cmos_write:
        out     0x70, al
        mov     al, ah
        out     0x71, al
        ret

; rtc_wait_update: waits while the RTC's update-in-progress bit (register A bit 7) is set,
; so the time registers read consistently (MC146818 datasheet, "Update Cycle").
rtc_wait_update:
        push    cx
        push    ax
        mov     cx, 0xFFFF
.wait:  mov     al, 0x0A
        call    cmos_read
        test    al, 0x80
        jz      .done
        loop    .wait
.done:  pop     ax
        pop     cx
        ret

; bcd_to_bin: AL (BCD) -> AL (binary).
bcd_to_bin:
        push    cx
        mov     cl, al
        shr     al, 4
        mov     ch, 10
        mul     ch
        and     cl, 0x0F
        add     al, cl
        pop     cx
        ret

; print: writes the zero-terminated string at CS:SI to the debug console.
print:
        push    ax
        push    si
.next:  cs lodsb
        test    al, al
        jz      .done
        out     DEBUGCON_PORT, al
        jmp     .next
.done:  pop     si
        pop     ax
        ret

; print_dec: writes EAX in decimal to the debug console.
print_dec:
        pushad
        mov     ebx, 10
        xor     cx, cx
.div:   xor     edx, edx
        div     ebx
        push    dx
        inc     cx
        test    eax, eax
        jnz     .div
.out:   pop     ax
        add     al, '0'
        out     DEBUGCON_PORT, al
        loop    .out
        popad
        ret

; pm_copy: copies ECX bytes from linear ESI to linear EDI above the 1 MiB real-mode reach,
; through 16-bit protected mode with flat 4 GiB data segments (Intel SDM vol. 3, 9.9
; "Mode Switching"), with A20 on and interrupts off; the caller's A20 and IF are restored.
; Returns with the segment limits of real mode restored (64 KiB).
pm_copy:
        pushf
        push    ds
        push    es
        push    eax
        cli
        cld                             ; the copy runs upwards whatever the caller's DF (POPF restores it)
        in      al, 0x92
        push    ax
        or      al, 0x02
        and     al, 0xFE                ; bit 0 would reset the CPU
        out     0x92, al
        o32 lgdt [cs:pm_gdt_desc]
        mov     eax, cr0
        or      al, 1
        mov     cr0, eax
        jmp     0x08:.pm
.pm:    mov     ax, 0x10
        mov     ds, ax
        mov     es, ax
        push    ecx
        shr     ecx, 2
        a32 rep movsd
        pop     ecx
        and     ecx, 3
        a32 rep movsb
        mov     ax, 0x18
        mov     ds, ax
        mov     es, ax
        mov     eax, cr0
        and     al, 0xFE
        mov     cr0, eax
        jmp     0xF000:.rm
.rm:    pop     ax
        and     al, 0xFE
        out     0x92, al
        pop     eax
        pop     es
        pop     ds
        popf
        ret

        align   8
pm_gdt:
        dq      0
        ; 0x08: 16-bit code, base F0000, limit 64 KiB
        dw      0xFFFF, 0x0000
        db      0x0F, 0x9B, 0x00, 0x00
        ; 0x10: 32-bit flat data, base 0, limit 4 GiB
        dw      0xFFFF, 0x0000
        db      0x00, 0x93, 0xCF, 0x00
        ; 0x18: 16-bit data, base 0, limit 64 KiB (real-mode limits on the way back)
        dw      0xFFFF, 0x0000
        db      0x00, 0x93, 0x00, 0x00
pm_gdt_end:
pm_gdt_desc:
        dw      pm_gdt_end - pm_gdt - 1
        dd      0xF0000 + pm_gdt

; svc_return: the end of a service that returns its status in the flags, jumped to instead of
; RETF 2. RETF 2 would hand back the handler's own IF and DF (IF set by the service's STI, DF
; as the handler left it), which a caller that had interrupts off must not get: the PC/AT
; services return with the caller's IF (IBM PC/AT Technical Reference, BIOS listing: the
; services end in IRET or RET 2 after restoring the caller's flags). So the status flags of
; now (SF ZF AF PF CF, by LAHF) go into the low byte of the interrupt frame's FLAGS, and IRET
; restores the caller's IF, DF and TF from the high byte.
svc_return:
        push    bp
        mov     bp, sp
        push    ax
        lahf
        mov     [bp + 6], ah
        pop     ax
        pop     bp
        iret
